package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/together"
	"github.com/assentry/assentry/store"
)

// testDPoPProofs covers DPoPProofStore: a jti is recorded once per host, a live record refuses the second
// recorder with ErrAlreadyUsed, an expired one is absent, hosts are isolated, records survive a reopen, and of
// racing recorders of one jti exactly one wins (raced on 100 fresh jtis: one race is too easily won by luck).
func testDPoPProofs(t *testing.T, open Opener) {
	const window = 2 * time.Minute
	t.Run("Once", func(t *testing.T) {
		e := newEnv(t, open)
		p := e.s.DPoPProofs()
		e.must(p.Record(e.ctx, hostA, "j1", e.now().Add(window)))
		e.is("second Record", p.Record(e.ctx, hostA, "j1", e.now().Add(window)), store.ErrAlreadyUsed)
		e.must(p.Record(e.ctx, hostA, "j2", e.now().Add(window)))
		e.must(p.Record(e.ctx, hostB, "j1", e.now().Add(window))) // another host's jti is another record
		e.clock.Advance(window - time.Second)
		e.is("Record before expiry", p.Record(e.ctx, hostA, "j1", e.now().Add(window)), store.ErrAlreadyUsed)
	})
	t.Run("Expiry", func(t *testing.T) {
		e := newEnv(t, open)
		p := e.s.DPoPProofs()
		e.must(p.Record(e.ctx, hostA, "j1", e.now().Add(window)))
		e.clock.Advance(window)
		// ExpiresAt <= now: gone, so the jti may be recorded again (and is live again afterwards).
		e.must(p.Record(e.ctx, hostA, "j1", e.now().Add(window)))
		e.is("Record after re-record", p.Record(e.ctx, hostA, "j1", e.now().Add(window)), store.ErrAlreadyUsed)
	})
	t.Run("Durable", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.DPoPProofs().Record(e.ctx, hostA, "j1", e.now().Add(window)))
		e.must(e.s.Close())
		e.s = e.open(t, e.dir, e.clock.Now)
		e.is("Record after reopen", e.s.DPoPProofs().Record(e.ctx, hostA, "j1", e.now().Add(window)),
			store.ErrAlreadyUsed)
	})
	t.Run("Race", func(t *testing.T) {
		e := newEnv(t, open)
		for a := range 100 {
			jti := fmt.Sprint("race-", a)
			errs := together.Run(racers, func(int) error {
				return e.s.DPoPProofs().Record(e.ctx, hostA, jti, e.now().Add(window))
			})
			oneWinner(t, errs, store.ErrAlreadyUsed)
			if t.Failed() {
				t.Fatalf("jti %s: not exactly one winner", jti)
			}
		}
	})
	t.Run("Closed", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Close())
		e.is("Record after Close", e.s.DPoPProofs().Record(e.ctx, hostA, "j1", e.now().Add(window)), store.ErrClosed)
	})
}
