package wasm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strings"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"github.com/assentry/assentry/policy"
)

// minInputBuffer is the smallest input buffer an instance allocates.
const minInputBuffer = 4 << 10

// callRaw calls fn with the instance's stack as it is.
func (in *instance) callRaw(ctx context.Context, fn api.Function) error {
	in.log.reset()
	in.lm.reset()
	return fn.CallWithStack(ctx, in.stack)
}

// growBuffer makes the input buffer hold at least n bytes: assentry_free of the old one, assentry_alloc of
// the next power of two.
func (in *instance) growBuffer(ctx context.Context, n int) error {
	if uint32(n) <= in.bufN && in.bufN > 0 {
		return nil
	}
	size := uint32(1) << bits.Len32(uint32(max(n, minInputBuffer))-1)
	if in.bufN > 0 {
		in.stack[0] = uint64(in.buf)
		if err := in.callRaw(ctx, in.free); err != nil {
			return in.failure(ctx, "alloc", fmt.Errorf("%s: %w", exportFree, err))
		}
		in.buf, in.bufN = 0, 0
	}
	in.stack[0] = uint64(size)
	if err := in.callRaw(ctx, in.alloc); err != nil {
		return in.failure(ctx, "alloc", fmt.Errorf("%s(%d): %w", exportAlloc, size, err))
	}
	ptr := uint32(in.stack[0])
	switch {
	case ptr == 0:
		return &policy.Failure{Plugin: in.p.name, Hook: "alloc", Kind: policy.FailMemory,
			Err: fmt.Errorf("%s(%d) returned 0", exportAlloc, size)}
	case uint64(ptr)+uint64(size) > uint64(in.mem.Size()):
		return &policy.Failure{Plugin: in.p.name, Hook: "alloc", Kind: policy.FailOutput,
			Err: fmt.Errorf("%s(%d) returned %d, past the end of memory (%d bytes)", exportAlloc, size, ptr, in.mem.Size())}
	}
	in.buf, in.bufN = ptr, size
	return nil
}

// call makes one guest call of fn (a hook or assentry_init) with input and returns a copy of its output. A
// returned error is a *policy.Failure, and the instance must then be discarded. maxOut < 0 means no
// output limit (init).
func (in *instance) call(ctx context.Context, fn api.Function, hook string, input []byte, maxOut int) ([]byte, error) {
	if in.snap != nil && uint32(len(input)) > in.bufN {
		// A bigger buffer is the host's own allocation, made before any request data is in the instance: the
		// state with it is the new starting point of every call.
		if err := in.growBuffer(ctx, len(input)); err != nil {
			return nil, err
		}
		if err := in.takeSnapshot(); err != nil {
			return nil, &policy.Failure{Plugin: in.p.name, Hook: hook, Kind: policy.FailTrap, Err: err}
		}
	}
	if err := in.growBuffer(ctx, len(input)); err != nil {
		return nil, err
	}
	in.mem.Write(in.buf, input) // in bounds: checked when the buffer was allocated
	in.stack[0], in.stack[1] = uint64(in.buf), uint64(len(input))
	in.log.during(hook, input)
	defer in.log.end()
	if err := in.callRaw(ctx, fn); err != nil {
		return nil, in.failure(ctx, hook, err)
	}
	ptr, n := uint32(in.stack[0]>>32), uint32(in.stack[0])
	if maxOut >= 0 && n > uint32(maxOut) {
		return nil, &policy.Failure{Plugin: in.p.name, Hook: hook, Kind: policy.FailOutput,
			Err: fmt.Errorf("output of %d bytes is over the limit of %d", n, maxOut)}
	}
	view, ok := in.mem.Read(ptr, n)
	if !ok {
		return nil, &policy.Failure{Plugin: in.p.name, Hook: hook, Kind: policy.FailOutput,
			Err: fmt.Errorf("output at %d+%d is past the end of memory (%d bytes)", ptr, n, in.mem.Size())}
	}
	out := bytes.Clone(view) // the guest owns it only until its next call
	if !isObject(out) {
		return nil, &policy.Failure{Plugin: in.p.name, Hook: hook, Kind: policy.FailOutput,
			Err: fmt.Errorf("output is not a JSON object: %.80q", out)}
	}
	return out, nil
}

// isObject reports whether b is one valid JSON object.
func isObject(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(b)
}

// failure classifies a failed guest call: out of memory when the page cap refused a grow or the call stack
// reached its cap, deadline when the call was interrupted, trap otherwise (including env.abort and a guest's
// proc_exit).
func (in *instance) failure(ctx context.Context, hook string, err error) *policy.Failure {
	err = shortTrap(err)
	f := &policy.Failure{Plugin: in.p.name, Hook: hook, Kind: policy.FailTrap, Err: err}
	var exit *sys.ExitError
	var abort *abortError
	switch {
	case in.lm.exhausted():
		f.Kind = policy.FailMemory
		f.Err = fmt.Errorf("memory limit of %d pages reached: %w", in.lm.limit/pageSize, err)
	case in.depth != nil && in.depth.Get() > maxCallDepth, strings.Contains(err.Error(), "stack overflow"):
		f.Kind = policy.FailMemory
		f.Err = fmt.Errorf("call stack limit of %d calls reached: %w", maxCallDepth, err)
	case in.expired.Load():
		f.Kind = policy.FailDeadline
		f.Err = context.DeadlineExceeded
		if cerr := ctx.Err(); cerr != nil {
			f.Err = cerr
		}
	case errors.As(err, &abort):
		f.Err = abort
	case errors.As(err, &exit):
		f.Err = fmt.Errorf("guest exited with status %d", exit.ExitCode())
	}
	return f
}

// trapError is a wazero error without its wasm stack trace, which can be thousands of frames long (the full
// error stays reachable through Unwrap, and the plugin logs it at debug level).
type trapError struct {
	msg string
	err error
}

func (e *trapError) Error() string { return e.msg }
func (e *trapError) Unwrap() error { return e.err }

// shortTrap cuts the wasm stack trace off a wazero error message.
func shortTrap(err error) error {
	msg := err.Error()
	i := strings.Index(msg, "\nwasm stack trace:")
	if i < 0 {
		return err
	}
	return &trapError{msg: msg[:i], err: err}
}
