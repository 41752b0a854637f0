package wasm

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assentry/assentry/policy"
)

// TestPrewarm: Load leaves Pool initialised instances, and calls use them without creating more.
func TestPrewarm(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "decide.wasm", policy.Limits{Pool: 5}, nil)
	if n := len(p.pool); n != 5 {
		t.Fatalf("%d warm instances after Load, want 5", n)
	}
	seen := map[*instance]bool{}
	for range 20 {
		in := <-p.pool
		seen[in] = true
		p.put(in)
		if _, err := p.Call(t.Context(), policy.HookConsent, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) > 5 {
		t.Errorf("%d instances served 20 sequential calls, want at most 5", len(seen))
	}
}

// TestPoolRefill: a discarded instance is replaced in the background.
func TestPoolRefill(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "hostile.wasm", policy.Limits{Pool: 2}, nil)
	if _, err := p.Call(t.Context(), policy.HookScopePolicy, []byte("T")); !policy.IsFailure(err, policy.FailTrap) {
		t.Fatalf("got %v, want a trap", err)
	}
	p.refills.Wait()
	if n := len(p.pool); n != 2 {
		t.Errorf("%d warm instances after a trap and its refill, want 2", n)
	}
}

// TestConcurrentCalls: many goroutines on a small pool; each instance serves one goroutine at a time (the
// race detector and the echo check would see two calls sharing the input buffer).
func TestConcurrentCalls(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "decide.wasm", policy.Limits{Pool: 3}, nil)
	var wg sync.WaitGroup
	var fails atomic.Int32
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				in := []byte(`{"g":` + itoa(g) + `,"i":` + itoa(i) + `}`)
				out, err := p.Call(t.Context(), policy.HookMapRoles, in)
				if err != nil || string(out) != string(in) {
					fails.Add(1)
					t.Errorf("call %s answered %s, %v", in, out, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if len(p.pool) > 3 {
		t.Errorf("%d idle instances kept, want at most the pool size 3", len(p.pool))
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestCloseWaitsForCalls: Close lets the calls in flight finish, later calls get ErrClosed.
func TestCloseWaitsForCalls(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "hostile.wasm", policy.Limits{Pool: 1, Timeout: 200 * time.Millisecond}, nil)
	done := make(chan error)
	go func() {
		_, err := p.Call(t.Context(), policy.HookScopePolicy, []byte("L"))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond) // let the call start; the test holds whatever the timing
	if err := p.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !policy.IsFailure(err, policy.FailDeadline) && !errors.Is(err, ErrClosed) {
		t.Errorf("the call in flight got %v, want its own deadline (or ErrClosed had it not started)", err)
	}
	if _, err := p.Call(t.Context(), policy.HookScopePolicy, []byte("{}")); !errors.Is(err, ErrClosed) {
		t.Errorf("call after Close: %v, want ErrClosed", err)
	}
}

// TestCompilationCacheDir: with a cache directory the compiled code is written there and a second engine
// (a restart) loads from it.
func TestCompilationCacheDir(t *testing.T) {
	dir := t.TempDir()
	for range 2 {
		e, _ := newEngine(t, WithCacheDir(dir))
		p := mustLoad(t, e, "decide.wasm", policy.Limits{Pool: 1}, nil)
		if _, err := p.Call(t.Context(), policy.HookConsent, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		if err := e.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	var files int
	_ = filepath.WalkDir(filepath.Join(dir, CacheSubdir), func(_ string, d os.DirEntry, _ error) error {
		if d != nil && !d.IsDir() {
			files++
		}
		return nil
	})
	if files == 0 {
		t.Errorf("no file in the compilation cache under %s", dir)
	}
}

// TestEngineClose closes the plugins still open.
func TestEngineClose(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "decide.wasm", policy.Limits{Pool: 1}, nil)
	if err := e.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Call(t.Context(), policy.HookConsent, []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("call after the engine closed: %v", err)
	}
	if _, err := e.Load(t.Context(), policy.Source{Code: fixture(t, "decide.wasm")}); err == nil {
		t.Error("Load on a closed engine succeeded")
	}
}
