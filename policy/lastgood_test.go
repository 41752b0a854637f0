package policy_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/assentry/assentry/internal/testlog"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
)

// configured is a scope policy granting the scope its config names.
const configured = `local cfg = {}
return {abi = 1, init = function(c) cfg = c end,
  scope_policy = function(req) return {granted_scopes = {cfg.grant}} end}`

// TestKeepLastGood: a plugin that loaded once is kept in the cache directory with its config; a later start
// with a broken file runs that version (with that config) when on_load_error is keep_last_good, marks it stale
// and logs at error; without the option, or with nothing kept, the start is refused.
func TestKeepLastGood(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "p.lua")
	writeAtomically(t, path, configured)
	var log testlog.Buffer
	start := func(onLoadError, grant string) (*policy.Manager, error) {
		m, err := policy.NewManager(context.Background(), policy.ManagerOptions{
			Options:  policy.Options{Host: "h1", Log: slog.New(slog.NewJSONHandler(&log, nil))},
			Engines:  map[string]policy.Engine{"lua": lua.New(lua.Options{})},
			Bindings: []policy.Binding{{Name: "p", Kind: "lua", Path: path, OnLoadError: onLoadError, Config: map[string]any{"grant": grant}}},
			CacheDir: cache,
		})
		if err == nil {
			t.Cleanup(func() { _ = m.Close(context.Background()) })
		}
		return m, err
	}
	if _, err := start(policy.OnLoadErrorKeepLastGood, "v1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cache, "p", "last-good.json")); err != nil {
		t.Fatalf("the last good version was not kept: %v", err)
	}

	writeAtomically(t, path, broken)
	if _, err := start(policy.OnLoadErrorFail, "v2"); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Fatalf("on_load_error fail with a broken file: %v, want the syntax error", err)
	}
	m, err := start(policy.OnLoadErrorKeepLastGood, "v2")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := grantedOf(t, m.Chain()); err != nil || got != "v1" {
		t.Fatalf("running the last good version: %q, %v; want v1 (its own config)", got, err)
	}
	if got := m.Stale(); !slices.Equal(got, []string{"p"}) {
		t.Fatalf("Stale() = %q, want p", got)
	}
	for _, want := range []string{`"level":"ERROR"`, `running its last good version, which is stale`, `syntax error`} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %s: %s", want, log.String())
		}
	}
	// The file fixed: a reload runs it and the plugin is no longer stale.
	writeAtomically(t, path, configured)
	if err := m.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := grantedOf(t, m.Chain()); got != "v2" || len(m.Stale()) != 0 {
		t.Fatalf("after the fix: %q, stale %q; want v2, none", got, m.Stale())
	}

	// Nothing kept: refused, saying so.
	if err := os.RemoveAll(cache); err != nil {
		t.Fatal(err)
	}
	writeAtomically(t, path, broken)
	if _, err := start(policy.OnLoadErrorKeepLastGood, "v2"); err == nil || !strings.Contains(err.Error(), "no last good version") {
		t.Fatalf("keep_last_good with nothing kept: %v", err)
	}
}
