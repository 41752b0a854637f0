package wasm

import (
	"context"
	"testing"
)

// TestGoGuestMemoryStaysBounded: a standard Go guest called many times on one instance keeps a steady heap
// (its collector gets to run: the SDK yields to the Go scheduler after each call, see plugins/sdk/go/guest).
func TestGoGuestMemoryStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bp := benchPlugins[4] // go/claims
	p := loadBench(t, bp, 1)
	var first, last uint32
	for i := range 10_000 {
		if _, err := p.Call(context.Background(), bp.hook, bp.input); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if i == 1000 || i == 9_999 {
			in := <-p.pool
			last = in.mem.Size() / pageSize
			if first == 0 {
				first = last
			}
			p.put(in)
		}
	}
	t.Logf("linear memory: %d pages after 1000 calls, %d after 10000", first, last)
	if last > 256 { // half the default cap; it settles near 120 pages
		t.Errorf("the guest's memory grew from %d to %d pages", first, last)
	}
}
