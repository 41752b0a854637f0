package wasm

import (
	"strings"
	"testing"

	"github.com/assentry/assentry/policy"
)

func TestLoadChecks(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		limits  policy.Limits
		want    []string // substrings of the error; none means the load succeeds
		wantLog string
	}{
		{name: "smallest valid plugin", file: "load/ok.wasm"},
		{name: "start section", file: "load/start_section.wasm"},
		{name: "reactor", file: "load/initialize.wasm"},
		{name: "missing export", file: "load/missing_alloc.wasm", want: []string{"missing export assentry_alloc (i32) -> (i32)"}},
		{name: "wrong ABI version", file: "load/abi_version_2.wasm", want: []string{"assentry_abi_version() returned 2", "ABI version 1"}},
		{name: "_start refused", file: "load/start.wasm", want: []string{`exports "_start"`, "reactor"}},
		{name: "unknown import named", file: "load/unknown_import.wasm", want: []string{"import env.system is not allowed"}},
		{name: "imported memory", file: "load/import_memory.wasm", want: []string{"import env.memory (memory) is not allowed"}},
		{name: "imported global", file: "load/import_global.wasm", want: []string{"import env.__stack_pointer (global) is not allowed"}},
		{name: "allowed import of the wrong type", file: "load/bad_log_type.wasm", want: []string{"import assentry.log has type (i32, i32) -> (), want (i32, i32, i32) -> ()"}},
		{name: "every problem at once", file: "load/many_problems.wasm", want: []string{
			`missing export "memory"`,
			"missing export assentry_alloc",
			"export assentry_consent has type (i32, i32) -> (i32), want (i32, i32) -> (i64)",
			"export assentry_consnet is not part of ABI version 1",
		}},
		{name: "no hook", file: "load/no_hooks.wasm", want: []string{"exports no hook"}},
		{name: "initial memory over the cap", file: "load/big_memory.wasm", want: []string{"memory starts at 600 pages, over the limit of 512 pages"}},
		{name: "initial memory within a raised cap", file: "load/big_memory.wasm", limits: policy.Limits{MaxMemoryPages: 600, Pool: 1}},
		{name: "init declares an error", file: "load/init_error.wasm", want: []string{"init refused the configuration", "bad_config", "allowed_hosts is missing"}},
		{name: "init traps", file: "load/init_trap.wasm", want: []string{"trap", "unreachable"}},
		{name: "not wasm", file: "load/ok.wat", want: []string{"compile"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newEngine(t)
			p, err := load(t, e, tt.file, tt.limits, nil)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("load: %v", err)
				}
				if _, err := p.Call(t.Context(), policy.HookConsent, []byte(`{}`)); err != nil {
					t.Fatalf("call: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("load succeeded, want an error with %q", tt.want)
			}
			t.Logf("refused: %v", err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\n does not say %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), tt.file[strings.LastIndex(tt.file, "/")+1:]) {
				t.Errorf("error %q does not name the plugin", err)
			}
		})
	}
}

func TestInitializeRunsOnce(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "load/initialize.wasm", policy.Limits{Pool: 2}, nil)
	for range 3 {
		if _, err := p.Call(t.Context(), policy.HookConsent, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	in := <-p.pool
	defer p.put(in)
	if got := in.mod.ExportedGlobal("initialized").Get(); got != 1 {
		t.Errorf("_initialize ran %d times in an instance, want 1", got)
	}
}

func TestHooksListsExports(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "decide.wasm", policy.Limits{Pool: 1}, nil)
	if got, want := strings.Join(p.Hooks(), ","), strings.Join(policy.Hooks, ","); got != want {
		t.Errorf("Hooks() = %s, want %s", got, want)
	}
	q := mustLoad(t, e, "load/ok.wasm", policy.Limits{Pool: 1}, nil)
	if got := strings.Join(q.Hooks(), ","); got != policy.HookConsent {
		t.Errorf("Hooks() = %s, want consent", got)
	}
	if _, err := q.Call(t.Context(), policy.HookClaims, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "does not export assentry_claims") {
		t.Errorf("call of a hook not exported: %v", err)
	}
}
