package wasm

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"unicode/utf16"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// The host modules a guest may import (docs/policy-abi.md "WebAssembly binding", imports): everything else is
// refused at load.
const (
	modAssentry = "assentry"
	modEnv      = "env"
	modWASI     = wasi_snapshot_preview1.ModuleName
)

// Guest log levels of assentry.log(level, ptr, len); other values are clamped to the nearest.
const (
	LevelDebug = 0
	LevelInfo  = 1
	LevelWarn  = 2
	LevelError = 3
)

// maxLogMessage bounds one guest log message, before the per-call cap.
const maxLogMessage = 1 << 10

// signature is a function type of an allowed import.
type signature struct {
	params, results []api.ValueType
}

func (s signature) String() string {
	return fmt.Sprintf("%s -> %s", typeList(s.params), typeList(s.results))
}

func typeList(ts []api.ValueType) string {
	s := "("
	for i, t := range ts {
		if i > 0 {
			s += ", "
		}
		s += api.ValueTypeName(t)
	}
	return s + ")"
}

func (s signature) matches(d api.FunctionDefinition) bool {
	return equalTypes(s.params, d.ParamTypes()) && equalTypes(s.results, d.ResultTypes())
}

func equalTypes(a, b []api.ValueType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var (
	i32 = api.ValueTypeI32
	i64 = api.ValueTypeI64
)

// instantiateHostModules adds the allowed host modules to a plugin's runtime and returns the allow-list:
// "module.name" → signature. WASI gets no preopened directory, no environment, no arguments, the
// deterministic clock and random source that wazero uses unless told otherwise, and stdout/stderr set per
// instance (see newInstance).
func instantiateHostModules(ctx context.Context, rt wazero.Runtime, p *plugin) (map[string]signature, error) {
	allowed := map[string]signature{}
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return nil, fmt.Errorf("wasi: %w", err)
	}
	for name, d := range rt.Module(modWASI).ExportedFunctionDefinitions() {
		allowed[modWASI+"."+name] = signature{d.ParamTypes(), d.ResultTypes()}
	}

	logSig := signature{[]api.ValueType{i32, i32, i32}, nil}
	_, err := rt.NewHostModuleBuilder(modAssentry).
		NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(p.hostLog), logSig.params, logSig.results).
		WithParameterNames("level", "ptr", "len").
		Export("log").
		Instantiate(ctx)
	if err != nil {
		return nil, fmt.Errorf("host module %s: %w", modAssentry, err)
	}
	allowed[modAssentry+".log"] = logSig

	abortSig := signature{[]api.ValueType{i32, i32, i32, i32}, nil}
	_, err = rt.NewHostModuleBuilder(modEnv).
		NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(p.hostAbort), abortSig.params, abortSig.results).
		WithParameterNames("msg", "file", "line", "column").
		Export("abort").
		Instantiate(ctx)
	if err != nil {
		return nil, fmt.Errorf("host module %s: %w", modEnv, err)
	}
	allowed[modEnv+".abort"] = abortSig
	return allowed, nil
}

// hostLog is assentry.log(level i32, ptr i32, len i32): one UTF-8 message from the guest.
func (p *plugin) hostLog(ctx context.Context, m api.Module, stack []uint64) {
	level, ptr, n := int32(stack[0]), uint32(stack[1]), uint32(stack[2])
	in := p.instanceOf(ctx, m)
	if in == nil {
		return
	}
	msg, ok := m.Memory().Read(ptr, min(n, maxLogMessage))
	if !ok {
		// A bad pointer in a log call is a guest bug: it traps like any out-of-bounds access would.
		panic(fmt.Errorf("assentry.log: message at %d+%d is out of bounds", ptr, n))
	}
	var l slog.Level
	switch {
	case level <= LevelDebug:
		l = slog.LevelDebug
	case level == LevelInfo:
		l = slog.LevelInfo
	case level == LevelWarn:
		l = slog.LevelWarn
	default:
		l = slog.LevelError
	}
	in.log.emit(ctx, l, "log", msg, n > maxLogMessage)
}

// abortError is how env.abort traps: the panic unwinds the guest and the call fails as a trap.
type abortError struct{ msg string }

func (e *abortError) Error() string { return e.msg }

// hostAbort is env.abort(msg, file, line, column) as AssemblyScript emits it: msg and file are
// AssemblyScript strings (UTF-16LE, their byte length in the u32 at ptr-4). The message is logged, then the
// call traps.
func (p *plugin) hostAbort(ctx context.Context, m api.Module, stack []uint64) {
	msg := readASString(m.Memory(), uint32(stack[0]))
	file := readASString(m.Memory(), uint32(stack[1]))
	line, col := uint32(stack[2]), uint32(stack[3])
	text := fmt.Sprintf("abort: %s at %s:%d:%d", msg, file, line, col)
	if in := p.instanceOf(ctx, m); in != nil {
		in.log.emit(ctx, slog.LevelError, "abort", []byte(text), false)
	}
	panic(&abortError{msg: text})
}

// readASString decodes an AssemblyScript string, or returns "" for a null or out-of-bounds one.
func readASString(mem api.Memory, ptr uint32) string {
	if ptr < 4 {
		return ""
	}
	size, ok := mem.ReadUint32Le(ptr - 4)
	if !ok {
		return ""
	}
	size = min(size, 2*maxLogMessage) &^ 1
	b, ok := mem.Read(ptr, size)
	if !ok {
		return ""
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}
