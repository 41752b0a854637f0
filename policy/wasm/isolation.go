package wasm

import (
	"fmt"

	"github.com/tetratelabs/wazero/api"
)

// Isolation (policy.Source.Isolate, config isolate_calls).
//
// A pooled instance keeps its linear memory and globals from one call to the next, so a plugin could carry one
// request's data into the answer of another. With isolation, the instance is put back into the state it had
// right after init (its memory, byte for byte, every mutable global of the module, which instrument exports
// for the host, and its clock and random source, clock.go) after every call, before the next one can see it:
// what init computed stays, what a call left is gone. It costs a copy of the memory per call (about 1 µs for AssemblyScript's 64 KiB, about
// 0.2 ms for a standard Go guest's 2.5 MiB), which is why it is a choice, per plugin.
//
// The one trace a call leaves is the input buffer's size: the host grows it (and so maybe the memory) to fit a
// larger input before the input is written, and keeps that as the new starting point (call.go), so a later
// call can tell that some earlier input was at least that large. A call that grew the memory cannot be rewound (memory never shrinks, and the guest's allocator would forget
// the grown pages, leaking them at every call), so that instance is discarded and replaced instead. Tables and
// segments are not restored: a module with instructions that change them (or with a mutable global of a type
// wazero's API cannot read) is refused with isolation at load (plugin.go). The snapshot lives on the Go heap:
// with isolation each pooled instance holds its memory twice.

// snapshot is an instance's state after init.
type snapshot struct {
	mem       []byte
	globals   []api.MutableGlobal
	values    []uint64
	buf, bufN uint32
	clock     guestClock
}

// takeSnapshot records the instance's current state as the one every call starts from.
func (in *instance) takeSnapshot() error {
	s := in.snap
	if s == nil {
		s = &snapshot{}
		for _, name := range in.p.globals {
			g, ok := in.mod.ExportedGlobal(name).(api.MutableGlobal)
			if !ok {
				return fmt.Errorf("isolation: global %s is not exported as mutable", name)
			}
			s.globals = append(s.globals, g)
		}
		s.values = make([]uint64, len(s.globals))
	}
	view, ok := in.mem.Read(0, in.mem.Size())
	if !ok {
		return fmt.Errorf("isolation: cannot read the memory")
	}
	s.mem = append(s.mem[:0], view...)
	for i, g := range s.globals {
		s.values[i] = g.Get()
	}
	s.buf, s.bufN = in.buf, in.bufN
	s.clock = *in.clock
	in.snap = s
	return nil
}

// rewind puts the instance back into its snapshot. It reports false when it cannot (the memory grew): the
// instance must then be discarded.
func (in *instance) rewind() bool {
	s := in.snap
	if in.mem.Size() != uint32(len(s.mem)) {
		return false
	}
	view, _ := in.mem.Read(0, uint32(len(s.mem)))
	copy(view, s.mem)
	for i, g := range s.globals {
		g.Set(s.values[i])
	}
	in.buf, in.bufN = s.buf, s.bufN
	*in.clock = s.clock
	return true
}
