package wasm

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/assentry/assentry/policy"
)

// TestInstrumentKeepsModulesValid instruments every wasm file of the repository but the standard Go guests
// (AssemblyScript and hand-written ones; the 2 MB Go guests take seconds to compile under the race detector and
// are loaded, instrumented, by their own tests): each still compiles and keeps its exports.
func TestInstrumentKeepsModulesValid(t *testing.T) {
	var files []string
	for _, dir := range []string{"testdata", "../policytest/testdata", "../../plugins", "../../examples"} {
		_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() && d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			if err == nil && strings.HasSuffix(path, ".wasm") {
				if info, err := d.Info(); err == nil && info.Size() < 1<<20 {
					files = append(files, path)
				}
			}
			return nil
		})
	}
	if len(files) < 20 {
		t.Fatalf("found only %d wasm files", len(files))
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	for _, f := range files {
		bin, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		orig, err := rt.CompileModule(ctx, bin)
		if err != nil {
			continue // an invalid fixture on purpose
		}
		ins, err := instrument(bin)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		cm, err := rt.CompileModule(ctx, ins.bin)
		if err != nil {
			t.Errorf("%s: the instrumented module does not compile: %v", f, err)
			continue
		}
		want := exportNames(orig)
		if ins.hasStart {
			want = append(want, startExport)
		}
		sort.Strings(want)
		if got := exportNames(cm); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: exports %v, want %v", f, got, want)
		}
	}
	t.Logf("instrumented %d modules", len(files))
}

func exportNames(cm wazero.CompiledModule) []string {
	var names []string
	for name := range cm.ExportedFunctions() {
		names = append(names, name)
	}
	for name := range cm.ExportedMemories() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// TestInstrumentedExits: every way out of a function (end, return, br/br_if/br_table to its label, a
// multi-value body) passes the depth decrement, and the start function ran once, before the hooks.
func TestInstrumentedExits(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "instrument.wasm", policy.Limits{Pool: 1}, nil)
	for range 100 {
		if _, err := p.Call(t.Context(), policy.HookScopePolicy, []byte("E")); err != nil {
			t.Fatal(err)
		}
	}
	in := <-p.pool
	defer p.put(in)
	if d := in.depth.Get(); d != 0 {
		t.Errorf("call depth %d after the calls returned, want 0", d)
	}
	if n := in.mod.ExportedGlobal("started").Get(); n != 1 {
		t.Errorf("the start function ran %d times, want 1", n)
	}
}

// TestLoopFreeRecursionHasADeadline: an exponential recursion without any loop is stopped by the checks at
// function entries.
func TestLoopFreeRecursionHasADeadline(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "instrument.wasm", policy.Limits{Pool: 1, Timeout: 50 * time.Millisecond}, nil)
	start := time.Now()
	_, err := p.Call(t.Context(), policy.HookScopePolicy, []byte("F"))
	t.Logf("fib(50) stopped after %v: %v", time.Since(start), err)
	if !policy.IsFailure(err, policy.FailDeadline) {
		t.Fatalf("got %v, want a deadline failure", err)
	}
}

// TestSleepDoesNotBlock: WASI's poll_oneoff on a clock returns at once (the clock is deterministic).
func TestSleepDoesNotBlock(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "instrument.wasm", policy.Limits{Pool: 1, Timeout: time.Second}, nil)
	if _, err := p.Call(t.Context(), policy.HookScopePolicy, []byte("S")); err != nil {
		t.Fatal(err)
	}
}

// TestStartFunctionHasADeadline: a start function that never returns fails the load at the init deadline.
func TestStartFunctionHasADeadline(t *testing.T) {
	e, _ := newEngine(t, WithInitTimeout(100*time.Millisecond))
	_, err := load(t, e, "load/start_loops.wasm", policy.Limits{Pool: 1}, nil)
	if err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("load: %v, want a deadline error", err)
	}
	t.Logf("refused: %v", err)
}

// TestCallerContext: a call ends when the caller's context is done, before the plugin's own deadline.
func TestCallerContext(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "hostile.wasm", policy.Limits{Pool: 1, Timeout: time.Minute}, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := p.Call(ctx, policy.HookScopePolicy, []byte("L"))
	if !policy.IsFailure(err, policy.FailDeadline) || !strings.Contains(err.Error(), "context deadline exceeded") {
		t.Fatalf("got %v, want a deadline failure from the caller's context", err)
	}
}

// TestGCDuringLongCall: a guest spinning in a loop still lets the Go runtime stop the world (the
// instrumentation visits Go regularly), so garbage collections and the deadline's timer run meanwhile.
func TestGCDuringLongCall(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "hostile.wasm", policy.Limits{Pool: 1, Timeout: 300 * time.Millisecond}, nil)
	var gcs atomic.Int32
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			default:
				runtime.GC()
				gcs.Add(1)
			}
		}
	}()
	_, err := p.Call(t.Context(), policy.HookScopePolicy, []byte("L"))
	close(done)
	if !policy.IsFailure(err, policy.FailDeadline) {
		t.Fatalf("got %v, want a deadline failure", err)
	}
	if gcs.Load() == 0 {
		t.Error("no garbage collection completed while the guest ran")
	}
	t.Logf("%d garbage collections during the call", gcs.Load())
}

// TestInstanceStateLastsPerInstance documents the wasm isolation model: an instance keeps its memory from one
// call to the next (a plugin keeps per-request data in locals), but instances are per host and a failed one
// is replaced by a fresh one.
func TestInstanceStateLastsPerInstance(t *testing.T) {
	e, _ := newEngine(t)
	a := mustLoad(t, e, "hostile.wasm", policy.Limits{Pool: 1}, nil)
	if a, b := count(t, a), count(t, a); b != a+1 {
		t.Errorf("counts %d then %d: one instance keeps its globals between calls", a, b)
	}
	other, err := e.Load(t.Context(), policy.Source{Name: "other-host", Code: fixture(t, "hostile.wasm"), Host: "h2",
		Limits: policy.Limits{Pool: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(t.Context())
	if n := count(t, other.(*plugin)); n != 1 {
		t.Errorf("another host's plugin starts at %d, want 1", n)
	}
}

// TestInstrumentRefusesHostGlobals: an instruction reaching past the module's own globals is invalid as
// written; after the rewrite it would reach the host's $stop, $depth or $fuel, so instrument refuses it.
func TestInstrumentRefusesHostGlobals(t *testing.T) {
	bin := fixture(t, "global_index.wasm")
	if _, err := instrument(bin); err != nil {
		t.Fatalf("the valid module: %v", err)
	}
	set := []byte{0x41, 0xb9, 0xe0, 0x00, 0x24, 0x00} // i32.const 12345, global.set 0
	i := strings.Index(string(bin), string(set))
	if i < 0 {
		t.Fatal("global.set not found")
	}
	patched := append([]byte(nil), bin...)
	patched[i+len(set)-1] = 1 // global.set 1: no such global as written
	if _, err := instrument(patched); err == nil || !strings.Contains(err.Error(), "global 1 does not exist") {
		t.Fatalf("instrument: %v", err)
	}
	e, _ := newEngine(t)
	if _, err := e.Load(context.Background(), policy.Source{Name: "g", Code: patched, Host: "h1"}); err == nil {
		t.Fatal("the patched module loaded")
	}
}

// TestInstrumentNumbersGlobalsAfterImports: the exports isolation restores name the defined mutable globals
// by their index, which counts imported globals first; immutable globals are not exported.
func TestInstrumentNumbersGlobalsAfterImports(t *testing.T) {
	ins, err := instrument(fixture(t, "import_global.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ins.globals, ",") != globalExport+"1" || ins.opaque != 0 || ins.tableWrites != 0 {
		t.Fatalf("globals %v, opaque %d, table writes %d", ins.globals, ins.opaque, ins.tableWrites)
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	// wazero validates the export: index 1 must be a global (the i64 one; the f32 is index 2).
	if _, err := rt.CompileModule(ctx, ins.bin); err != nil {
		t.Fatal(err)
	}
}
