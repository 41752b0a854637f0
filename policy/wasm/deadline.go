package wasm

import (
	"context"
	"time"
)

// The deadline of a guest call. The module was instrumented (instrument.go) to check its stop global at every
// loop header and function entry; arm starts the instance's timer and watches the caller's context, and when
// either fires, expire sets the global, so the guest traps within one loop iteration or call. This replaces
// wazero's WithCloseOnContextDone, whose check calls back into Go at every back-edge.

// arm starts the deadline of one call: d from now, or earlier if ctx is done. disarm stops it and reports
// whether it fired; after it did, the instance's stop global is set for good and the instance must be
// discarded.
func (in *instance) arm(ctx context.Context, d time.Duration) (disarm func() bool) {
	in.timer.Reset(d)
	var stopWatch func() bool
	if ctx.Done() != nil {
		stopWatch = context.AfterFunc(ctx, in.expire)
	}
	return func() bool {
		// A timer or watch that already started may not have set the global yet: it counts as fired, and
		// the instance (which it may still interrupt) is discarded by the caller.
		fired := !in.timer.Stop()
		if stopWatch != nil && !stopWatch() {
			fired = true
		}
		return fired || in.expired.Load()
	}
}

// expire interrupts the instance's running call (from the timer's goroutine or the context's).
func (in *instance) expire() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.mod == nil || !in.expired.CompareAndSwap(false, true) {
		return
	}
	in.stop.Set(1)
}
