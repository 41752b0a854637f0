package wasm

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/policy"
)

// TestFailures: each hostile behaviour fails with its kind, the instance is discarded, and the next call is
// served. Durations are reported, never asserted.
func TestFailures(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		kind    string
		wantErr string
		wantLog string
	}{
		{name: "infinite loop", input: "L", kind: policy.FailDeadline, wantErr: "no answer within 50ms"},
		{name: "deep recursion", input: "R", kind: policy.FailMemory, wantErr: "call stack limit of 10000 calls reached"},
		{name: "allocation without bound ignoring -1", input: "M", kind: policy.FailMemory, wantErr: "memory limit of 16 pages"},
		{name: "allocation without bound then trap", input: "N", kind: policy.FailMemory, wantErr: "memory limit of 16 pages"},
		{name: "unreachable", input: "T", kind: policy.FailTrap, wantErr: "unreachable"},
		{name: "division by zero", input: "D", kind: policy.FailTrap, wantErr: "integer divide by zero"},
		{name: "env.abort", input: "A", kind: policy.FailTrap, wantErr: "abort: boom at hostile.ts:7:3", wantLog: `msg="abort: boom at hostile.ts:7:3"`},
		{name: "proc_exit", input: "X", kind: policy.FailTrap, wantErr: "guest exited with status 3"},
		{name: "output out of bounds", input: "O", kind: policy.FailOutput, wantErr: "past the end of memory"},
		{name: "oversized output", input: "B", kind: policy.FailOutput, wantErr: "output of 131072 bytes is over the limit of 65536"},
		{name: "not JSON", input: "G", kind: policy.FailOutput, wantErr: "not a JSON object"},
		{name: "JSON but not an object", input: `["x"]`, kind: policy.FailOutput, wantErr: "not a JSON object"},
	}
	e, logs := newEngine(t)
	p := mustLoad(t, e, "hostile.wasm", policy.Limits{Pool: 1, Timeout: 50 * time.Millisecond, MaxMemoryPages: 16}, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := count(t, p), count(t, p); b != a%10+1 {
				t.Fatalf("counts %d then %d: the instance was not pooled", a, b)
			}
			start := time.Now()
			_, err := p.Call(t.Context(), policy.HookScopePolicy, []byte(tt.input))
			t.Logf("%s failed after %s: %v", tt.name, time.Since(start).Round(time.Microsecond), err)
			if !policy.IsFailure(err, tt.kind) {
				t.Fatalf("got %v, want a %s failure", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not say %q", err, tt.wantErr)
			}
			if tt.wantLog != "" && !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log does not have %s:\n%s", tt.wantLog, logs)
			}
			if n := count(t, p); n != 1 {
				t.Errorf("count %d after the failure: the failed instance was reused", n)
			}
		})
	}
}

// count calls the counting behaviour of hostile.wat and returns the instance's call count (mod 10).
func count(t *testing.T, p *plugin) int {
	t.Helper()
	// Let a background refill finish, so the count does not depend on timing: the instance that served the
	// previous call is the one in the pool.
	waitRefills(p)
	out, err := p.Call(t.Context(), policy.HookScopePolicy, []byte("C"))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if _, err := fmt.Sscanf(string(out), `{"n":"%d"}`, &n); err != nil {
		t.Fatalf("count answered %s: %v", out, err)
	}
	return n
}

func waitRefills(p *plugin) {
	p.refills.Wait()
}

// TestStdoutToLog: a guest's stdout goes to the log.
func TestStdoutToLog(t *testing.T) {
	e, logs := newEngine(t)
	p := mustLoad(t, e, "hostile.wasm", policy.Limits{Pool: 1}, nil)
	// W echoes its input after writing, and "W" is not JSON: the call fails, the line is logged all the same.
	_, err := p.Call(t.Context(), policy.HookScopePolicy, []byte(`W`))
	if !policy.IsFailure(err, policy.FailOutput) {
		t.Fatalf("got %v, want an invalid_output failure", err)
	}
	if !strings.Contains(logs.String(), `level=INFO msg="hello from guest"`) || !strings.Contains(logs.String(), "source=stdout") {
		t.Errorf("stdout not in the log:\n%s", logs)
	}
}

// TestLogCap: the log output of one call is capped.
func TestLogCap(t *testing.T) {
	g := guestLog{limit: 10}
	logs := &logBuffer{}
	g.logger = newTextLogger(logs)
	s := &stream{g: &g, name: "stdout"}
	for range 5 {
		_, _ = s.Write([]byte("0123456\n"))
	}
	if n := strings.Count(logs.String(), "0123456"); n != 1 {
		t.Errorf("%d full lines logged, want 1:\n%s", n, logs)
	}
	if !strings.Contains(logs.String(), "guest log output capped") {
		t.Errorf("no cap warning:\n%s", logs)
	}
	g.reset()
	_, _ = s.Write([]byte("reset\n"))
	if !strings.Contains(logs.String(), "reset") {
		t.Errorf("the cap was not reset for the next call")
	}
}

// TestOthersKeepServing: while hostile calls fail on some goroutines, good calls on others succeed.
func TestOthersKeepServing(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "hostile.wasm", policy.Limits{Pool: 4, Timeout: 20 * time.Millisecond, MaxMemoryPages: 16}, nil)
	var wg sync.WaitGroup
	for _, op := range []string{"L", "M", "T", "R", "G"} {
		wg.Go(func() {
			for range 5 {
				if _, err := p.Call(t.Context(), policy.HookScopePolicy, []byte(op)); !policy.IsFailure(err, "") {
					t.Errorf("%s: got %v, want a failure", op, err)
				}
			}
		})
	}
	good := 0
	wg.Go(func() {
		for range 200 {
			out, err := p.Call(t.Context(), policy.HookScopePolicy, []byte(`{"ok":true}`))
			if err != nil || string(out) != `{"ok":true}` {
				t.Errorf("a good call failed: %s %v", out, err)
				return
			}
			good++
		}
	})
	wg.Wait()
	if good != 200 {
		t.Errorf("%d good calls succeeded, want 200", good)
	}
}
