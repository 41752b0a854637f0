package wasm

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	// An input over the buffer: the host grows it (a guest allocation of its own, which here grows the memory)
	// before the input is in, and that state becomes the starting point: the instance is kept.
	big := `{"pad":"` + strings.Repeat("x", 10*minInputBuffer) + `"}`
	for range 2 {
		if got := claims(p, big); got != fresh {
			t.Fatalf("after the buffer grew: %s", got)
		}
	}
	if in := pooled(t, p); in != first || in.mem.Size() <= 65536 {
		t.Fatalf("growing the input buffer replaced the instance (%v) or did not grow the memory (%d bytes)", in != first, in.mem.Size())
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

// TestIsolationRewindsClockAndRandom: the guest's deterministic clock and random source advance from call to
// call on a shared instance, and start again from their state after init on an isolated one.
func TestIsolationRewindsClockAndRandom(t *testing.T) {
	e, _ := newEngine(t)
	run := func(isolate bool) []string {
		p, err := loadIsolated(t, e, "isolate.wasm", isolate)
		if err != nil {
			t.Fatal(err)
		}
		var outs []string
		for range 3 {
			out, err := p.Call(context.Background(), policy.HookMapRoles, []byte("{}"))
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, string(out))
		}
		return outs
	}
	shared := run(false)
	for i, o := range shared {
		if !strings.HasPrefix(o, `{"t":`+string(rune('0'+i))+`,`) {
			t.Fatalf("shared instance: the clock does not advance 1 ms per reading: %v", shared)
		}
	}
	isolated := run(true)
	if isolated[0] != shared[0] || isolated[1] != isolated[0] || isolated[2] != isolated[0] {
		t.Fatalf("isolated: %v, want three times %s", isolated, shared[0])
	}
}

// TestIsolationRefusesUnrewindableState: state isolation cannot restore (a table written by the code, a
// mutable v128 global) refuses the plugin with isolation and not without.
func TestIsolationRefusesUnrewindableState(t *testing.T) {
	e, _ := newEngine(t)
	for file, want := range map[string]string{"isolate_table.wasm": "changes tables", "isolate_v128.wasm": "mutable globals"} {
		if _, err := loadIsolated(t, e, file, true); err == nil || !strings.Contains(err.Error(), "isolate_calls: ") ||
			!strings.Contains(err.Error(), want) {
			t.Fatalf("%s with isolation: %v", file, err)
		}
		p, err := loadIsolated(t, e, file, false)
		if err != nil {
			t.Fatalf("%s without isolation: %v", file, err)
		}
		if out, err := p.Call(context.Background(), policy.HookClaims, []byte("{}")); err != nil || string(out) != "{}" {
			t.Fatalf("%s: %s %v", file, out, err)
		}
	}
}

// TestIsolationWithFailures: an isolated plugin whose call misses its deadline loses that instance and the
// next call starts fresh; an init that refuses its configuration refuses the plugin as without isolation.
func TestIsolationWithFailures(t *testing.T) {
	e, _ := newEngine(t)
	pl, err := e.Load(context.Background(), policy.Source{Name: "hostile", Code: fixture(t, "hostile.wasm"), Host: "h1",
		Limits: policy.Limits{Pool: 1, Timeout: 50 * time.Millisecond}, Isolate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close(context.Background())
	call := func(input string) (string, error) {
		out, err := pl.Call(context.Background(), policy.HookScopePolicy, []byte(input))
		return string(out), err
	}
	if _, err := call("L"); !policy.IsFailure(err, policy.FailDeadline) {
		t.Fatalf("loop: %v", err)
	}
	for range 2 {
		if out, err := call("C"); err != nil || out != `{"n":"1"}` {
			t.Fatalf("after the deadline: %s %v", out, err)
		}
	}
	refused := func(isolate bool) string {
		_, err := e.Load(context.Background(), policy.Source{Name: "init_refuses", Host: "h1", Isolate: isolate,
			Code: fixture(t, "../../policytest/testdata/init_refuses.wasm"), Limits: policy.Limits{Pool: 1}})
		if err == nil {
			t.Fatal("init_refuses loaded")
		}
		return err.Error()
	}
	if with, without := refused(true), refused(false); with != without {
		t.Fatalf("init refusal with isolation %q, without %q", with, without)
	}
}
