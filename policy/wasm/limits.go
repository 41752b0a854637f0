package wasm

import (
	"fmt"

	"github.com/assentry/assentry/policy"
)

// maxPages is the most a 32-bit memory can address: 65536 pages of 64 KiB, 4 GiB.
const maxPages = 65536

// withDefaults fills the zero fields of l (policy.Limits.WithDefaults) and checks the rest.
func withDefaults(l policy.Limits) (policy.Limits, error) {
	l = l.WithDefaults()
	if l.MaxMemoryPages > maxPages {
		return l, fmt.Errorf("limits.max_memory_pages: %d is over %d (4 GiB)", l.MaxMemoryPages, maxPages)
	}
	return l, nil
}
