package policy_test

import (
	"context"
	"fmt"
	"github.com/assentry/assentry/internal/testlog"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
)

// versioned is a scope policy granting only the scope "v<n>".
func versioned(n int) string {
	return fmt.Sprintf(`return {abi = 1, scope_policy = function(req) return {granted_scopes = {"v%d"}} end}`, n)
}

const broken = `return {abi = 1, scope_policy = function(req) return {granted_scopes = {"broken"}} end` // syntax error

// countingEngine wraps an engine to count the plugins it loaded and those closed.
type countingEngine struct {
	policy.Engine
	loaded, closed atomic.Int64
}

func (e *countingEngine) Load(ctx context.Context, src policy.Source) (policy.Plugin, error) {
	p, err := e.Engine.Load(ctx, src)
	if err != nil {
		return nil, err
	}
	e.loaded.Add(1)
	return &countingPlugin{Plugin: p, e: e}, nil
}

type countingPlugin struct {
	policy.Plugin
	e    *countingEngine
	once sync.Once
}

func (p *countingPlugin) Close(ctx context.Context) error {
	p.once.Do(func() { p.e.closed.Add(1) })
	return p.Plugin.Close(ctx)
}

func newManager(t *testing.T, path string, log *testlog.Buffer) (*policy.Manager, *countingEngine) {
	t.Helper()
	return newManagerDebounce(t, path, log, 20*time.Millisecond)
}

// newManagerDebounce is newManager with the watcher's debounce d.
func newManagerDebounce(t *testing.T, path string, log *testlog.Buffer, d time.Duration) (*policy.Manager, *countingEngine) {
	t.Helper()
	eng := &countingEngine{Engine: lua.New(lua.Options{})}
	m, err := policy.NewManager(context.Background(), policy.ManagerOptions{
		Options: policy.Options{Host: "h1", Log: slog.New(slog.NewJSONHandler(log, nil))},
		Engines: map[string]policy.Engine{"lua": eng},
		// A generous deadline: this test is about reloads, and under -race with busy goroutines on few CPUs a
		// call can wait for the scheduler longer than the default 100 ms.
		Bindings: []policy.Binding{{Name: "p", Kind: "lua", Path: path, Limits: policy.Limits{Pool: 2, Timeout: 10 * time.Second}}},
		Debounce: d,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return m, eng
}

var allVersions = func() []string {
	var s []string
	for i := range 100 {
		s = append(s, fmt.Sprintf("v%d", i))
	}
	return s
}()

func grantedOf(t *testing.T, c *policy.Chain) (string, error) {
	out, err := c.ScopePolicy(context.Background(), &policy.ScopePolicyInput{RequestedScopes: allVersions})
	if err != nil {
		return "", err
	}
	return strings.Join(out.GrantedScopes, ","), nil
}

// writeAtomically replaces a file the way deployment tools do: a new file renamed over the old one.
func writeAtomically(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestManagerReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.lua")
	writeAtomically(t, path, versioned(1))
	var log testlog.Buffer
	m, eng := newManager(t, path, &log)
	if got, err := grantedOf(t, m.Chain()); err != nil || got != "v1" {
		t.Fatalf("got %q, %v; want v1", got, err)
	}
	// Unchanged: nothing reloaded.
	if err := m.Reload(context.Background()); err != nil || eng.loaded.Load() != 1 {
		t.Fatalf("reload of an unchanged file: %v, %d loads", err, eng.loaded.Load())
	}
	writeAtomically(t, path, versioned(2))
	if err := m.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := grantedOf(t, m.Chain()); got != "v2" {
		t.Fatalf("after reload: %q, want v2", got)
	}
	// A broken version is refused and logged; the old one stays.
	writeAtomically(t, path, broken)
	if err := m.Reload(context.Background()); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Fatalf("reload of a broken file: %v", err)
	}
	if got, _ := grantedOf(t, m.Chain()); got != "v2" {
		t.Fatalf("after a failed reload: %q, want v2", got)
	}
	// A vanished file too.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := m.Reload(context.Background()); err == nil {
		t.Fatal("reload of a missing file: want an error")
	}
	if got, _ := grantedOf(t, m.Chain()); got != "v2" {
		t.Fatalf("after a missing file: %q, want v2", got)
	}
	for _, want := range []string{`"msg":"policy reloaded"`, `"msg":"policy reload failed; the previous version stays"`,
		`"plugin":"p"`, `syntax error`} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %s: %s", want, log.String())
		}
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l, c := eng.loaded.Load(), eng.closed.Load(); l != 2 || c != 2 {
		t.Fatalf("%d versions loaded, %d closed; want 2 and 2", l, c)
	}
}

func TestNewManagerErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.lua")
	writeAtomically(t, good, versioned(1))
	bad := filepath.Join(dir, "bad.lua")
	writeAtomically(t, bad, broken)
	tests := []struct {
		name     string
		bindings []policy.Binding
		want     string
	}{
		{name: "missing file", bindings: []policy.Binding{{Name: "p", Kind: "lua", Path: filepath.Join(dir, "none.lua")}}, want: "no such file"},
		{name: "broken file", bindings: []policy.Binding{{Name: "p", Kind: "lua", Path: bad}}, want: "syntax error"},
		{name: "unknown kind", bindings: []policy.Binding{{Name: "p", Kind: "js", Path: good}}, want: `no "js" engine`},
		{name: "duplicate name", bindings: []policy.Binding{{Name: "p", Kind: "lua", Path: good}, {Name: "p", Kind: "lua", Path: good}},
			want: "used twice"},
		{name: "hook not exported", bindings: []policy.Binding{{Name: "p", Kind: "lua", Path: good, Hooks: []string{"consent"}}},
			want: "does not export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := &countingEngine{Engine: lua.New(lua.Options{})}
			_, err := policy.NewManager(context.Background(), policy.ManagerOptions{
				Engines: map[string]policy.Engine{"lua": eng}, Bindings: append(
					[]policy.Binding{{Name: "first", Kind: "lua", Path: good}}, tt.bindings...)})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if eng.loaded.Load() != eng.closed.Load() {
				t.Fatalf("%d plugins loaded, %d closed: the refused host leaked plugins", eng.loaded.Load(), eng.closed.Load())
			}
		})
	}
}

// Hot reload under load: goroutines call the chain without pause while the file is rewritten many times
// (renamed over, written in place, once broken); no call fails, and every new version is eventually served.
func TestReloadUnderLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.lua")
	writeAtomically(t, path, versioned(0))
	var log testlog.Buffer
	m, eng := newManager(t, path, &log)
	if err := m.Watch(context.Background()); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var calls, failures atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				got, err := grantedOf(t, m.Chain())
				calls.Add(1)
				if err != nil || !strings.HasPrefix(got, "v") {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%q, %v", got, err))
				}
			}
		}()
	}
	waitFor := func(want string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if got, _ := grantedOf(t, m.Chain()); got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the chain never served %s", want)
			}
		}
	}
	const versions = 8
	for i := 1; i <= versions; i++ {
		if i == versions/2 {
			writeAtomically(t, path, broken)
			// The broken file is refused: wait for the failure to be logged; the previous version stays.
			for !strings.Contains(log.String(), "syntax error") {
				time.Sleep(5 * time.Millisecond)
			}
			if got, _ := grantedOf(t, m.Chain()); got != fmt.Sprintf("v%d", i-1) {
				t.Fatalf("after the broken write: %q, want v%d", got, i-1)
			}
		}
		if i%2 == 0 {
			writeAtomically(t, path, versioned(i))
		} else if err := os.WriteFile(path, []byte(versioned(i)), 0o600); err != nil { // in place
			t.Fatal(err)
		}
		waitFor(fmt.Sprintf("v%d", i))
	}
	stop.Store(true)
	wg.Wait()
	if n := failures.Load(); n != 0 {
		t.Fatalf("%d of %d calls failed during reloads; first: %v", n, calls.Load(), firstErr.Load())
	}
	t.Logf("%d calls, %d versions loaded, none failed", calls.Load(), eng.loaded.Load())
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l, c := eng.loaded.Load(), eng.closed.Load(); l != c {
		t.Fatalf("%d versions loaded but %d closed", l, c)
	}
}
