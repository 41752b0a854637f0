package inflight

import (
	"sync"
	"sync/atomic"
)

// retiredBit marks a retired gate in its counter: far above any number of calls that can run at once, so the
// counter holds both facts in one word and Enter can tell them apart with one atomic add.
const retiredBit = 1 << 40

// Gate counts the calls in flight on one generation. A caller that found the generation through a shared pointer
// enters its gate before using it and leaves when done; the owner retires the gate after pointing the shared
// pointer at the next generation, and Drained closes once every call that entered has left. The zero value is
// not usable: make one with New.
//
// Entering can race with retiring: a caller may load the old pointer just before the swap. Enter then fails
// (the gate is retired), and the caller loads the pointer again, which now names the next generation; so no call
// ever starts on a retired generation.
type Gate struct {
	n       atomic.Int64 // calls in flight, plus retiredBit once retired
	drained chan struct{}
	once    sync.Once // closes drained
	retire  sync.Once
}

// New returns an open gate.
func New() *Gate { return &Gate{drained: make(chan struct{})} }

// Enter counts one more call, or reports false when the gate is retired (the caller must look for the current
// generation again). Every successful Enter needs one Leave.
func (g *Gate) Enter() bool {
	if g.n.Add(1) >= retiredBit {
		g.Leave()
		return false
	}
	return true
}

// Leave counts one call fewer; the last call to leave a retired gate closes Drained.
func (g *Gate) Leave() {
	if g.n.Add(-1) == retiredBit {
		g.once.Do(func() { close(g.drained) })
	}
}

// Retire refuses every later Enter and returns Drained. Retiring twice is harmless.
func (g *Gate) Retire() <-chan struct{} {
	g.retire.Do(func() {
		if g.n.Add(retiredBit) == retiredBit {
			g.once.Do(func() { close(g.drained) })
		}
	})
	return g.drained
}

// Drained is closed once the gate is retired and no call is in flight.
func (g *Gate) Drained() <-chan struct{} { return g.drained }

// InFlight is the number of calls in flight (for logs and tests).
func (g *Gate) InFlight() int64 { return g.n.Load() % retiredBit }
