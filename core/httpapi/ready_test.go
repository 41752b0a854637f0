package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
	"github.com/assentry/assentry/store"
)

// withLuaPlugin binds the Lua plugin at path to the host as name.
func withLuaPlugin(name, path string) envOption {
	return func(s *envSetup) {
		s.build.Engines = map[string]policy.Engine{"lua": lua.New(lua.Options{})}
		s.cfg.Policies = append(s.cfg.Policies, config.Policy{Name: name, Lua: path})
	}
}

const claimsPlugin = `return {abi = 1, claims = function(req) return {claims = {}} end}`

// TestReadyzStalePlugin: a plugin whose reload failed makes /readyz 503 naming the host and the plugin (never its
// file), until its file loads again; /healthz stays 200 throughout.
func TestReadyzStalePlugin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret-dir", "extra.lua")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(code string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(code), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(claimsPlugin)
	e := newEnv(t, withLuaPlugin("extra", path))
	b := e.browser()
	if p := b.get("/readyz"); p.status != http.StatusOK || p.body != "ready\n" {
		t.Fatalf("readyz with a loaded plugin: %d %q", p.status, p.body)
	}
	write("return {abi = 1, claims = ") // a syntax error
	if err := e.svc.Policies.Reload(context.Background()); err == nil {
		t.Fatal("the broken plugin reloaded")
	}
	p := b.get("/readyz")
	if p.status != http.StatusServiceUnavailable || !strings.Contains(p.body, "host test: policy plugin extra is stale") {
		t.Fatalf("readyz with a stale plugin: %d %q", p.status, p.body)
	}
	if strings.Contains(p.body, "secret-dir") || strings.Contains(p.body, ".lua") {
		t.Fatalf("readyz names the plugin's file: %q", p.body)
	}
	if p := b.get("/healthz"); p.status != http.StatusOK {
		t.Fatalf("healthz with a stale plugin: %d", p.status)
	}
	// With the store refusing writes as well: one line per reason, the store's first.
	e.srv.ready = func(context.Context) error {
		return fmt.Errorf("writes refused: the data directory's filesystem is nearly full: %w", store.ErrUnavailable)
	}
	if p := b.get("/readyz"); p.status != http.StatusServiceUnavailable || !strings.HasPrefix(p.body, "not ready: writes refused") ||
		!strings.Contains(p.body, "\nnot ready: host test: policy plugin extra is stale") {
		t.Fatalf("readyz with two reasons: %d %q", p.status, p.body)
	}
	e.srv.ready = nil
	write(claimsPlugin + "\n-- fixed")
	if err := e.svc.Policies.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/readyz"); p.status != http.StatusOK {
		t.Fatalf("readyz after a good reload: %d %q", p.status, p.body)
	}
}

// TestReadyzNoSigningKey: a host whose signing keys are gone from the store is not ready once its key cache
// reads the store again, and says for which algorithms; /healthz stays 200.
func TestReadyzNoSigningKey(t *testing.T) {
	clock := testclock.New(time.Now())
	e := newEnv(t, withClock(clock.Now))
	b := e.browser()
	if p := b.get("/readyz"); p.status != http.StatusOK {
		t.Fatalf("readyz with keys: %d %q", p.status, p.body)
	}
	ctx := context.Background()
	keys, err := e.st.Keys().List(ctx, "test", "sig")
	if err != nil || len(keys) != len(testAlgs) {
		t.Fatalf("stored keys: %d, %v", len(keys), err)
	}
	for _, k := range keys {
		if err := e.st.Keys().Delete(ctx, "test", k.ID); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(2 * time.Minute) // past the key cache's refresh
	p := b.get("/readyz")
	if p.status != http.StatusServiceUnavailable || p.body != "not ready: host test: no usable signing key for ES256, EdDSA\n" {
		t.Fatalf("readyz without keys: %d %q", p.status, p.body)
	}
	if p := b.get("/healthz"); p.status != http.StatusOK {
		t.Fatalf("healthz without keys: %d", p.status)
	}
	if err := e.svc.Keys.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/readyz"); p.status != http.StatusOK {
		t.Fatalf("readyz after new keys: %d %q", p.status, p.body)
	}
}
