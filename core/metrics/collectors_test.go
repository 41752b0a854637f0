package metrics_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assentry/assentry/core/metrics"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
	"github.com/assentry/assentry/store"
	badgerstore "github.com/assentry/assentry/store/badger"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// TestPolicyMetrics: a real Lua plugin in a real policy.Manager reports its calls, and its stale gauge follows
// failed and good reloads.
func TestPolicyMetrics(t *testing.T) {
	m := metrics.New(metrics.Options{Hosts: []string{"h1"}})
	path := filepath.Join(t.TempDir(), "narrow.lua")
	write := func(code string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(code), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`return {abi = 1, scope_policy = function(req) return {granted_scopes = {"a"}} end}`)
	ctx := context.Background()
	mgr, err := policy.NewManager(ctx, policy.ManagerOptions{
		Options:  policy.Options{Host: "h1", Log: slog.New(slog.DiscardHandler), Observer: m},
		Engines:  map[string]policy.Engine{"lua": lua.New(lua.Options{})},
		Bindings: []policy.Binding{{Name: "narrow", Kind: "lua", Path: path}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mgr.Close(context.Background()) })
	m.WatchPolicies("h1", mgr)
	for range 3 {
		if _, err := mgr.Chain().ScopePolicy(ctx, &policy.ScopePolicyInput{RequestedScopes: []string{"a", "b"}}); err != nil {
			t.Fatal(err)
		}
	}
	body := scrape(t, m)
	want(t, body, 3, "assentry_policy_calls_total", "host=h1", "plugin=narrow", "hook=scope_policy", "outcome=ok")
	want(t, body, 3, "assentry_policy_call_duration_seconds_count", "plugin=narrow", "hook=scope_policy")
	want(t, body, 0, "assentry_policy_stale", "host=h1", "plugin=narrow")

	write(`return {abi = 1, scope_policy = `)
	if err := mgr.Reload(ctx); err == nil {
		t.Fatal("a broken plugin reloaded")
	}
	want(t, scrape(t, m), 1, "assentry_policy_stale", "host=h1", "plugin=narrow")
	write(`return {abi = 1, scope_policy = function(req) return {granted_scopes = {}} end}`)
	if err := mgr.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	want(t, scrape(t, m), 0, "assentry_policy_stale", "host=h1", "plugin=narrow")
}

// TestStoreMetrics: a real Badger store reports its operations and commits, and a scrape reads its snapshot.
func TestStoreMetrics(t *testing.T) {
	m := metrics.New(metrics.Options{})
	const free = 5 << 30
	st, err := badgerstore.Open(context.Background(), badgerstore.Options{Dir: t.TempDir(), MemTableSize: 4 << 20,
		Logger: slog.New(slog.DiscardHandler), GCInterval: -1, Observer: m,
		FreeSpace: func(string) (uint64, error) { return free, nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	m.WatchStore(func() metrics.StoreStats {
		s := st.Stats()
		return metrics.StoreStats{Commits: s.Commits, Writes: s.Writes, LSMBytes: s.LSMBytes, VlogBytes: s.VlogBytes,
			FreeBytes: s.FreeBytes, WritesRefused: s.WritesRefused}
	})
	ctx := context.Background()
	const n = 5
	for i := range n {
		if err := st.Users().Create(ctx, &store.User{ID: fmt.Sprint("u", i), Host: "h", Username: fmt.Sprint("user", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Users().Get(ctx, "h", "u1"); err != nil {
		t.Fatal(err)
	}
	body := scrape(t, m)
	want(t, body, n, "assentry_store_operation_duration_seconds_count", "op=write")
	want(t, body, 1, "assentry_store_operation_duration_seconds_count", "op=read")
	want(t, body, n, "assentry_store_commit_batch_size_sum") // one write per commit, one after another
	want(t, body, n, "assentry_store_commit_duration_seconds_count")
	want(t, body, n, "assentry_store_writes_total")
	want(t, body, n, "assentry_store_commits_total")
	want(t, body, free, "assentry_store_free_bytes")
	want(t, body, 0, "assentry_store_writes_refused")
	for _, name := range []string{"assentry_store_lsm_bytes", "assentry_store_vlog_bytes"} {
		if _, ok := sample(body, name); !ok {
			t.Errorf("no %s", name)
		}
	}
}

// TestKeyAges: the age of the key that signs, per algorithm, on the metrics' clock; a rotation resets it once the
// successor signs.
func TestKeyAges(t *testing.T) {
	clock := testclock.New(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	st := badgertest.New(t, clock.Now)
	keys, err := token.New(token.Options{Host: "h1", Keys: st.Keys(), Algorithms: []string{token.ES256, token.EdDSA},
		Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := keys.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	m := metrics.New(metrics.Options{Hosts: []string{"h1"}, Now: clock.Now})
	m.WatchKeys("h1", keys)
	clock.Advance(90 * time.Minute)
	body := scrape(t, m)
	want(t, body, 5400, "assentry_signing_key_age_seconds", "host=h1", "alg=ES256")
	want(t, body, 5400, "assentry_signing_key_age_seconds", "host=h1", "alg=EdDSA")
	if _, err := keys.Rotate(ctx, token.ES256); err != nil {
		t.Fatal(err)
	}
	clock.Advance(token.DefaultPublishAhead + 2*time.Minute) // the successor signs, and the key cache has refreshed
	body = scrape(t, m)
	want(t, body, (token.DefaultPublishAhead + 2*time.Minute).Seconds(), "assentry_signing_key_age_seconds", "host=h1", "alg=ES256")
}
