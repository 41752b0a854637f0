package wasm

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assentry/assentry/policy"
)

func loadIsolated(t *testing.T, e *Engine, name string, isolate bool) (*plugin, error) {
	t.Helper()
	p, err := e.Load(context.Background(), policy.Source{Name: filepath.Base(name), Path: name, Code: fixture(t, name),
		Host: "h1", Limits: policy.Limits{Pool: 1}, Isolate: isolate})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p.(*plugin), nil
}

// pooled returns the idle instance of a pool of one, leaving it there.
func pooled(t *testing.T, p *plugin) *instance {
	t.Helper()
	p.refills.Wait()
	in := <-p.pool
	p.pool <- in
	return in
}

// TestIsolation: without isolation a pooled instance keeps what a call left in its globals and memory; with
// it, every call starts from the state after init, also after the host grew the input buffer; a call that
// grows the memory has its answer kept and its instance replaced.
func TestIsolation(t *testing.T) {
	e, _ := newEngine(t)
	ctx := context.Background()
	claims := func(p *plugin, input string) string {
		t.Helper()
		out, err := p.Call(ctx, policy.HookClaims, []byte(input))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}

	shared, err := loadIsolated(t, e, "isolate.wasm", false)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{`{"claims":{"g":1,"m":1}}`, `{"claims":{"g":2,"m":2}}`, `{"claims":{"g":3,"m":3}}`} {
		if got := claims(shared, "{}"); got != want {
			t.Fatalf("without isolation, call %d: %s, want %s", i+1, got, want)
		}
	}

	p, err := loadIsolated(t, e, "isolate.wasm", true)
	if err != nil {
		t.Fatal(err)
	}
	const fresh = `{"claims":{"g":1,"m":1}}`
	first := pooled(t, p)
	for i := range 3 {
		if got := claims(p, "{}"); got != fresh {
			t.Fatalf("with isolation, call %d: %s, want %s", i+1, got, fresh)
		}
	}
	// An input over the buffer: the host grows it (a guest allocation of its own) and keeps the instance.
	big := `{"pad":"` + strings.Repeat("x", 3*minInputBuffer) + `"}`
	for range 2 {
		if got := claims(p, big); got != fresh {
			t.Fatalf("after the buffer grew: %s", got)
		}
	}
	if pooled(t, p) != first {
		t.Fatal("growing the input buffer replaced the instance")
	}
	// A call that grows the memory: its answer stands, its instance is replaced by a fresh one.
	out, err := p.Call(ctx, policy.HookScopePolicy, []byte("{}"))
	if err != nil || string(out) != `{"granted_scopes":[]}` {
		t.Fatalf("growing call: %s %v", out, err)
	}
	next := pooled(t, p)
	if next == first || next.mem.Size() != 65536 {
		t.Fatalf("the grown instance was kept (same %v, %d bytes)", next == first, next.mem.Size())
	}
	if got := claims(p, "{}"); got != fresh {
		t.Fatalf("after the replacement: %s", got)
	}
}

// TestIsolationRefusesOpaqueGlobals: a mutable global the host cannot read (v128) cannot be restored, so the
// plugin is refused with isolation and accepted without.
func TestIsolationRefusesOpaqueGlobals(t *testing.T) {
	e, _ := newEngine(t)
	if _, err := loadIsolated(t, e, "isolate_v128.wasm", true); err == nil || !strings.Contains(err.Error(), "isolate_calls") {
		t.Fatalf("with isolation: %v", err)
	}
	p, err := loadIsolated(t, e, "isolate_v128.wasm", false)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := p.Call(context.Background(), policy.HookClaims, []byte("{}")); err != nil || !json.Valid(out) {
		t.Fatalf("%s %v", out, err)
	}
}

// TestGlobalsFixtureLeaksWithoutIsolation: the policytest "globals" fixture, which the suite runs with
// isolation, does carry one call's data into the next on a shared instance; so the suite's check can fail.
func TestGlobalsFixtureLeaksWithoutIsolation(t *testing.T) {
	e, _ := newEngine(t)
	code := fixture(t, "../../policytest/testdata/globals.wasm")
	pl, err := e.Load(context.Background(), policy.Source{Name: "globals", Code: code, Host: "h1",
		Config: map[string]any{"name": "x"}, Limits: policy.Limits{Pool: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close(context.Background())
	in := `{"user":{"sub":"u-alice","username":"alice","roles":[],"groups":[]},"client":{"client_id":"a"},"scopes":[],"target":"id_token"}`
	var outs []string
	for range 2 {
		out, err := pl.Call(context.Background(), policy.HookClaims, []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(out))
	}
	if !strings.Contains(outs[1], `"calls":2`) || !strings.Contains(outs[1], `"leaked":"u-alice"`) {
		t.Fatalf("no leak without isolation: %v", outs)
	}
}
