//go:build linux || darwin || freebsd

package wasm

import "syscall"

// mmapBacking reserves the whole limit as inaccessible address space and makes it readable and writable as
// the memory grows: the base never moves, fresh pages are zero, nothing is copied, and none of it is Go heap.
type mmapBacking struct {
	region    []byte // the reservation, PROT_NONE beyond committed
	committed uint64
}

// newBacking reserves limit bytes, or falls back to a Go slice when the system refuses.
func newBacking(limit uint64) backing {
	if limit == 0 {
		return sliceBacking{limit: limit}
	}
	region, err := syscall.Mmap(-1, 0, int(limit), syscall.PROT_NONE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return sliceBacking{limit: limit}
	}
	return &mmapBacking{region: region}
}

func (b *mmapBacking) grow(_ []byte, size uint64) []byte {
	if size > b.committed {
		end := min((size+pageSize-1)/pageSize*pageSize, uint64(len(b.region)))
		if err := syscall.Mprotect(b.region[b.committed:end], syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
			return nil
		}
		b.committed = end
	}
	return b.region[:size]
}

func (b *mmapBacking) free() {
	if b.region != nil {
		_ = syscall.Munmap(b.region)
		b.region = nil
	}
}
