package policy

import (
	"context"
	"errors"
	"time"
)

// Limits bound one plugin (docs/policy-abi.md "Configuration": limits).
type Limits struct {
	Timeout        time.Duration // deadline per call (default 100 ms)
	MaxMemoryPages uint32        // wasm: 64 KiB pages (default 512 = 32 MiB)
	Pool           int           // warm instances or states kept per (host, plugin version) (default 8)
	MaxInputBytes  int           // inputs larger than this are refused (default 64 KiB)
	MaxOutputBytes int           // outputs larger than this are a failure (default 64 KiB)
}

// Source is a plugin to load: its name, file, code and the host config handed to init.
type Source struct {
	Name   string
	Path   string // for messages and reload
	Code   []byte // Lua source or wasm binary
	Config map[string]any
	Host   string // init receives this host's config, so instances are per host
	Limits Limits
	// Isolate asks that nothing one call leaves in the plugin's state reaches the next (config isolate_calls).
	// Lua calls always are (a fresh environment per call); a wasm instance is restored to its state after
	// init after every call, at the cost of a copy of its memory.
	Isolate bool
}

// Engine compiles and instantiates plugins of one kind (Lua or WebAssembly).
type Engine interface {
	// Kind is "lua" or "wasm".
	Kind() string
	// Load compiles, checks (ABI version, exports, imports), runs init and pre-warms a plugin. An error
	// refuses the plugin and names the reason.
	Load(ctx context.Context, src Source) (Plugin, error)
	// Close releases the engine (compilation caches, runtimes).
	Close(ctx context.Context) error
}

// Plugin is a loaded, ready plugin of one host.
type Plugin interface {
	// Hooks are the hooks it exports.
	Hooks() []string
	// Call runs one hook with a JSON input and returns its JSON output: a decision or a {"error": {...}} object.
	// A trap, deadline, out-of-memory, invalid or oversized output is returned as a *Failure.
	Call(ctx context.Context, hook string, input []byte) ([]byte, error)
	// Close releases its instances or states.
	Close(ctx context.Context) error
}

// Failure kinds (docs/policy-abi.md, "Outcomes", outcome 3): the instance or state is discarded.
const (
	FailTrap     = "trap"
	FailDeadline = "deadline"
	FailMemory   = "out_of_memory"
	FailOutput   = "invalid_output" // not JSON, wrong shape, or too large
	FailInput    = "input_too_large"
	FailError    = "error" // Lua error(...)
)

// Failure is a plugin failure; Kind says which.
type Failure struct {
	Plugin string
	Hook   string
	Kind   string
	Err    error
}

func (f *Failure) Error() string {
	return "policy " + f.Plugin + " " + f.Hook + ": " + f.Kind + ": " + f.Err.Error()
}

func (f *Failure) Unwrap() error { return f.Err }

// IsFailure reports whether err is a plugin failure of the given kind ("" = any).
func IsFailure(err error, kind string) bool {
	var f *Failure
	return errors.As(err, &f) && (kind == "" || f.Kind == kind)
}
