package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/together"
	"github.com/assentry/assentry/store"
)

// leaseTTL is the ttl the lease cases take a lease for.
const leaseTTL = time.Minute

// testLeases checks store.Leases, the optional capability of a store several processes share: one holder at a
// time, until the lease runs out or its holder releases it; renewal by the holder; racing takers with one
// winner. A backend without the capability skips, saying so.
func testLeases(t *testing.T, open Opener) {
	tests := []struct {
		name string
		run  func(e *env, l store.Leases)
	}{
		{"two holders", func(e *env, l store.Leases) {
			e.take(l, "keys:h", "a", true)
			e.take(l, "keys:h", "b", false)
			e.take(l, "keys:h", "a", true) // its holder may take it again: a renewal
			e.take(l, "other", "b", true)  // leases are independent of each other
			e.clock.Advance(leaseTTL - time.Second)
			e.take(l, "keys:h", "b", false)
		}},
		{"expiry", func(e *env, l store.Leases) {
			e.take(l, "keys:h", "a", true)
			e.clock.Advance(leaseTTL) // runs out at now + ttl exactly
			e.take(l, "keys:h", "b", true)
			e.take(l, "keys:h", "a", false)
		}},
		{"renewal by the holder", func(e *env, l store.Leases) {
			e.take(l, "keys:h", "a", true)
			e.clock.Advance(leaseTTL / 2)
			e.take(l, "keys:h", "a", true) // until now + ttl, counted from the renewal
			e.clock.Advance(leaseTTL/2 + time.Second)
			e.take(l, "keys:h", "b", false) // past the first term, within the renewed one
			e.clock.Advance(leaseTTL / 2)
			e.take(l, "keys:h", "b", true)
		}},
		{"release", func(e *env, l store.Leases) {
			e.take(l, "keys:h", "a", true)
			e.must(l.ReleaseLease(e.ctx, "keys:h", "b")) // not b's: nothing happens
			e.take(l, "keys:h", "b", false)
			e.must(l.ReleaseLease(e.ctx, "keys:h", "a"))
			e.take(l, "keys:h", "b", true)               // at once, without waiting for the ttl
			e.must(l.ReleaseLease(e.ctx, "keys:h", "a")) // a released lease, released again: nothing happens
			e.take(l, "keys:h", "a", false)
			e.must(l.ReleaseLease(e.ctx, "never-taken", "a"))
		}},
		{"durable", func(e *env, l store.Leases) {
			e.take(l, "keys:h", "a", true)
			e.reopen()
			e.take(e.s.(store.Leases), "keys:h", "b", false)
		}},
		{"invalid", func(e *env, l store.Leases) {
			for _, c := range []struct{ name, holder string }{{"", "a"}, {"keys:h", ""}} {
				if ok, err := l.TakeLease(e.ctx, c.name, c.holder, leaseTTL); err == nil || ok {
					e.t.Errorf("TakeLease(%q, %q) = %v, %v; want an error", c.name, c.holder, ok, err)
				}
			}
			if ok, err := l.TakeLease(e.ctx, "keys:h", "a", 0); err == nil || ok {
				e.t.Errorf("TakeLease with ttl 0 = %v, %v; want an error", ok, err)
			}
		}},
		{"closed", func(e *env, l store.Leases) {
			e.must(e.s.Close())
			if _, err := l.TakeLease(e.ctx, "keys:h", "a", leaseTTL); !errors.Is(err, store.ErrClosed) {
				e.t.Errorf("TakeLease after Close: %v, want ErrClosed", err)
			}
			if err := l.ReleaseLease(e.ctx, "keys:h", "a"); !errors.Is(err, store.ErrClosed) {
				e.t.Errorf("ReleaseLease after Close: %v, want ErrClosed", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, open)
			l, ok := e.s.(store.Leases)
			if !ok {
				t.Skipf("%T does not implement store.Leases (a store for one process only)", e.s)
			}
			tt.run(e, l)
		})
	}
	// Racing holders of a free lease: exactly one gets it, many times over (one race is too easily won by luck).
	t.Run("racing holders", func(t *testing.T) {
		e := newEnv(t, open)
		l, ok := e.s.(store.Leases)
		if !ok {
			t.Skipf("%T does not implement store.Leases", e.s)
		}
		for round := range 50 {
			name := fmt.Sprint("race-", round)
			won := make([]bool, racers)
			errs := together.Run(racers, func(i int) error {
				var err error
				won[i], err = l.TakeLease(e.ctx, name, fmt.Sprint("holder-", i), leaseTTL)
				return err
			})
			n := 0
			for i, err := range errs {
				e.must(err)
				if won[i] {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("round %d: %d of %d racing holders got the lease, want exactly 1", round, n, racers)
			}
		}
	})
}

// take calls TakeLease and fails the test unless it returns want.
func (e *env) take(l store.Leases, name, holder string, want bool) {
	e.t.Helper()
	got, err := l.TakeLease(e.ctx, name, holder, leaseTTL)
	if err != nil || got != want {
		e.t.Fatalf("TakeLease(%q, %q) at %s = %v, %v; want %v", name, holder, e.now().Format(time.TimeOnly), got, err, want)
	}
}
