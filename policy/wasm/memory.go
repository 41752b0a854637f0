package wasm

import (
	"github.com/tetratelabs/wazero/experimental"
)

// pageSize is the WebAssembly page, 64 KiB.
const pageSize = 65536

// linearMemory backs one instance's linear memory and enforces the plugin's page cap itself.
//
// wazero's WithMemoryLimitPages would enforce the cap too, but a memory.grow it refuses is invisible to the
// host: the guest sees -1 and then traps, loops or exits in its own way (Go: "out of memory" and proc_exit,
// AssemblyScript: unreachable), and the host could not tell an out-of-memory from any other trap. Refusing
// the grow here records it, so the failure is reported as policy.FailMemory.
//
// The bytes come from a backing: on Linux, macOS and FreeBSD an address range reserved up to the cap and
// committed as the memory grows (nothing is copied, the Go heap does not carry guest memory, and closing the
// instance gives it back to the system); elsewhere a Go slice grown geometrically.
type linearMemory struct {
	buf      []byte
	back     backing
	limit    uint64 // bytes: the plugin's cap, or the module's declared maximum when lower
	declared bool   // the module's own maximum is at or under the cap, so wazero refuses grows before Reallocate
	refused  bool   // a grow past limit was refused since the last reset
	grew     bool   // the memory grew since the last reset
}

// backing provides the bytes of a linear memory.
type backing interface {
	// grow returns the memory resized to size bytes (size > the current length, <= the limit), or nil.
	grow(buf []byte, size uint64) []byte
	free()
}

var _ experimental.LinearMemory = (*linearMemory)(nil)

// allocator returns the MemoryAllocator that creates m for the next instantiation.
func (m *linearMemory) allocator(capBytes uint64) experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
		m.limit = capBytes
		if max <= capBytes {
			m.limit, m.declared = max, true
		}
		m.back = newBacking(m.limit)
		return m
	})
}

// Reallocate implements experimental.LinearMemory: the memory grows to size bytes, or stays (nil) when that
// is over the cap.
func (m *linearMemory) Reallocate(size uint64) []byte {
	if size > m.limit {
		m.refused = true
		return nil
	}
	if size <= uint64(len(m.buf)) {
		return m.buf
	}
	buf := m.back.grow(m.buf, size)
	if buf == nil {
		m.refused = true
		return nil
	}
	m.buf, m.grew = buf, true
	return m.buf
}

// Free implements experimental.LinearMemory.
func (m *linearMemory) Free() {
	if m.back != nil {
		m.back.free()
	}
	m.buf = nil
}

// reset starts the observation of one call.
func (m *linearMemory) reset() { m.refused, m.grew = false, false }

// exhausted reports whether the last call ran out of memory: a grow was refused by the cap, or the module's
// own maximum was reached while it grew.
func (m *linearMemory) exhausted() bool {
	return m.refused || (m.declared && m.grew && uint64(len(m.buf)) >= m.limit)
}

// sliceBacking is a Go slice, grown geometrically (within the limit) so that a guest growing page by page does
// not copy its memory at every grow.
type sliceBacking struct{ limit uint64 }

func (s sliceBacking) grow(buf []byte, size uint64) []byte {
	if size <= uint64(cap(buf)) {
		return buf[:size] // beyond len the backing array is still zero: memory never shrinks
	}
	bigger := make([]byte, size, min(max(size, 2*uint64(cap(buf))), s.limit))
	copy(bigger, buf)
	return bigger
}

func (sliceBacking) free() {}
