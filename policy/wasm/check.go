package wasm

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/assentry/assentry/policy"
)

// The exports of the ABI (docs/policy-abi.md "WebAssembly binding").
const (
	exportMemory     = "memory"
	exportInitialize = "_initialize" // reactors: called once after instantiation when exported
	exportStart      = "_start"      // commands: refused, a plugin is a library
	exportABIVersion = "assentry_abi_version"
	exportAlloc      = "assentry_alloc"
	exportFree       = "assentry_free"
	exportInit       = "assentry_init"
	exportPrefix     = "assentry_"
)

// Signatures of the ABI's exports.
var (
	sigABIVersion = signature{nil, []api.ValueType{i32}}
	sigAlloc      = signature{[]api.ValueType{i32}, []api.ValueType{i32}}
	sigFree       = signature{[]api.ValueType{i32}, nil}
	sigCall       = signature{[]api.ValueType{i32, i32}, []api.ValueType{i64}} // init and every hook
	sigInitialize = signature{nil, nil}
)

// hookExport is the export name of a hook.
func hookExport(hook string) string { return exportPrefix + hook }

// shape is what the checks learned about a module.
type shape struct {
	hooks         []string // exported hooks, in policy.Hooks order
	hasInit       bool
	hasInitialize bool
}

// check verifies the exports and imports of a compiled module against the ABI and the import allow-list,
// and reports every problem at once.
func check(cm wazero.CompiledModule, bin []byte, allowed map[string]signature, l policy.Limits) (shape, error) {
	var s shape
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// Imports: only the allow-list, with its signatures; no imported memory, table or global.
	imports, err := readImports(bin)
	if err != nil {
		return s, err
	}
	funcs := cm.ImportedFunctions()
	fi := 0
	for _, im := range imports {
		if im.kind != "function" {
			bad("import %s (%s) is not allowed: a plugin imports only functions of %s", im, im.kind, allowedModules)
			continue
		}
		var d api.FunctionDefinition
		if fi < len(funcs) {
			d = funcs[fi]
		}
		fi++
		sig, ok := allowed[im.String()]
		switch {
		case !ok:
			bad("import %s is not allowed (allowed: %s)", im, allowedModules)
		case d != nil && !sig.matches(d):
			bad("import %s has type %s, want %s", im, signature{d.ParamTypes(), d.ResultTypes()}, sig)
		}
	}

	// Exports.
	mem, ok := cm.ExportedMemories()[exportMemory]
	if !ok {
		bad("missing export %q (the linear memory)", exportMemory)
	} else if mem.Min() > l.MaxMemoryPages {
		bad("memory starts at %d pages, over the limit of %d pages", mem.Min(), l.MaxMemoryPages)
	}
	exports := cm.ExportedFunctions()
	if _, ok := exports[exportStart]; ok {
		bad("exports %q: a plugin is a reactor (library), not a command; build it as a library "+
			"(Go: -buildmode=c-shared; Rust: cdylib; TinyGo: -buildmode=c-shared)", exportStart)
	}
	need := func(name string, sig signature, required bool) bool {
		d, ok := exports[name]
		if !ok {
			if required {
				bad("missing export %s %s", name, sig)
			}
			return false
		}
		if !sig.matches(d) {
			bad("export %s has type %s, want %s", name, signature{d.ParamTypes(), d.ResultTypes()}, sig)
		}
		return true
	}
	need(exportABIVersion, sigABIVersion, true)
	need(exportAlloc, sigAlloc, true)
	need(exportFree, sigFree, true)
	s.hasInit = need(exportInit, sigCall, false)
	s.hasInitialize = need(exportInitialize, sigInitialize, false)
	for _, h := range policy.Hooks {
		if need(hookExport(h), sigCall, false) {
			s.hooks = append(s.hooks, h)
		}
	}
	known := map[string]bool{exportABIVersion: true, exportAlloc: true, exportFree: true, exportInit: true}
	for _, h := range policy.Hooks {
		known[hookExport(h)] = true
	}
	var unknown []string
	for name := range exports {
		if strings.HasPrefix(name, exportPrefix) && !known[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		bad("export %s is not part of ABI version %d (hooks: %s)", name, policy.ABIVersion,
			strings.Join(policy.Hooks, ", "))
	}
	if len(s.hooks) == 0 {
		bad("exports no hook (assentry_<hook> for one of %s)", strings.Join(policy.Hooks, ", "))
	}

	if len(problems) > 0 {
		return s, errors.New(strings.Join(problems, "; "))
	}
	return s, nil
}

// allowedModules describes the import allow-list in messages.
var allowedModules = "assentry.log, env.abort, wasi_snapshot_preview1.*"
