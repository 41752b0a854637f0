package policy

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// gatedEngine loads plugins whose scope_policy answers with the file's content as the one granted scope, and
// blocks while gate is open.
type gatedEngine struct{ gate chan struct{} }

func (e *gatedEngine) Kind() string                { return "gated" }
func (e *gatedEngine) Close(context.Context) error { return nil }
func (e *gatedEngine) Load(_ context.Context, src Source) (Plugin, error) {
	return &gated{fake: answer(HookScopePolicy, `{"granted_scopes":["`+string(src.Code)+`"]}`), gate: e.gate}, nil
}

type gated struct {
	*fake
	gate    chan struct{}
	started chan struct{}
}

func (g *gated) Call(ctx context.Context, hook string, in []byte) ([]byte, error) {
	if g.started != nil {
		close(g.started)
		<-g.gate
	}
	return g.fake.Call(ctx, hook, in)
}

// A call running when a new version is swapped in finishes on the old version, which is closed only then.
func TestReloadDrainsOldVersion(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.gated")
	if err := os.WriteFile(path, []byte("v1"), 0o600); err != nil {
		t.Fatal(err)
	}
	var l logs
	eng := &gatedEngine{gate: make(chan struct{})}
	m, err := NewManager(context.Background(), ManagerOptions{Options: testOptions(&l),
		Engines: map[string]Engine{"gated": eng}, Bindings: []Binding{{Name: "p", Kind: "gated", Path: path}}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	old := m.current[0].plugin.(*gated)
	old.started = make(chan struct{})
	in := &ScopePolicyInput{RequestedScopes: []string{"v1", "v2"}}
	done := make(chan *ScopePolicyOutput)
	go func() {
		out, err := m.Chain().ScopePolicy(context.Background(), in)
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	<-old.started // the call is running on v1

	if err := os.WriteFile(path, []byte("v2"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := m.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	out, err := m.Chain().ScopePolicy(context.Background(), in)
	if err != nil || out.GrantedScopes[0] != "v2" {
		t.Fatalf("after reload: got (%+v, %v), want v2", out, err)
	}
	if old.closed.Load() {
		t.Fatal("the old version was closed while a call ran on it")
	}
	close(eng.gate)
	if out := <-done; out.GrantedScopes[0] != "v1" {
		t.Fatalf("the running call answered %v, want v1", out.GrantedScopes)
	}
	m.chain.closing.Wait()
	if !old.closed.Load() {
		t.Fatal("the old version was not closed after its last call")
	}
	if m.current[0].plugin.(*gated).closed.Load() {
		t.Fatal("the current version was closed")
	}
}

// Close waits for the calls still running before it closes their plugins.
func TestCloseWaitsForCalls(t *testing.T) {
	var l logs
	g := &gated{fake: answer(HookScopePolicy, `{"granted_scopes":["a"]}`), gate: make(chan struct{}), started: make(chan struct{})}
	c, err := NewChain(testOptions(&l), Bound{Name: "p", Plugin: g})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = c.ScopePolicy(context.Background(), &ScopePolicyInput{RequestedScopes: []string{"a"}}) }()
	<-g.started
	closed := make(chan error)
	go func() { closed <- c.Close(context.Background()) }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a call was running", err)
	case <-time.After(50 * time.Millisecond):
	}
	if g.closed.Load() {
		t.Fatal("the plugin was closed while a call was running")
	}
	close(g.gate)
	if err := <-closed; err != nil || !g.closed.Load() {
		t.Fatalf("Close: %v, plugin closed: %v", err, g.closed.Load())
	}
}
