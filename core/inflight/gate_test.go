package inflight

import (
	"sync"
	"sync/atomic"
	"testing"
)

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestGate(t *testing.T) {
	tests := []struct {
		name     string
		inFlight int // calls entered before Retire
		want     bool
	}{
		{name: "idle gate drains at once", inFlight: 0, want: true},
		{name: "a call in flight holds it", inFlight: 1, want: false},
		{name: "two calls in flight hold it", inFlight: 2, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := New()
			for range tt.inFlight {
				if !g.Enter() {
					t.Fatal("Enter refused on an open gate")
				}
			}
			if got := closed(g.Retire()); got != tt.want {
				t.Fatalf("drained right after Retire = %v, want %v", got, tt.want)
			}
			if g.Enter() {
				t.Fatal("Enter accepted on a retired gate")
			}
			for i := range tt.inFlight {
				if closed(g.Drained()) {
					t.Fatalf("drained with %d calls still in flight", tt.inFlight-i)
				}
				g.Leave()
			}
			if !closed(g.Drained()) {
				t.Fatal("not drained once every call left")
			}
			g.Retire() // twice: harmless
		})
	}
}

// Callers swap between generations as a server does: each loads the current one and enters its gate, retrying
// when it was retired meanwhile. No call ever runs on a generation whose gate has drained.
func TestGateUnderSwaps(t *testing.T) {
	type gen struct {
		gate     *Gate
		released atomic.Bool
	}
	var cur atomic.Pointer[gen]
	cur.Store(&gen{gate: New()})
	var bad atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !closed(stop) {
				g := cur.Load()
				if !g.gate.Enter() {
					continue
				}
				if g.released.Load() {
					bad.Add(1)
				}
				g.gate.Leave()
			}
		}()
	}
	for range 2000 {
		next := &gen{gate: New()}
		old := cur.Swap(next)
		<-old.gate.Retire()
		old.released.Store(true)
	}
	close(stop)
	wg.Wait()
	if n := bad.Load(); n != 0 {
		t.Fatalf("%d calls ran on a released generation", n)
	}
}
