package storetest

import (
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// testCodes covers CodeStore: Put's ErrConflict, Consume stamping UsedAt and returning the code again with
// ErrAlreadyUsed, and expiry at exactly ExpiresAt (a used code expires too, and its id is free again).
func testCodes(t *testing.T, open Opener) {
	t.Run("PutConsume", func(t *testing.T) {
		e := newEnv(t, open)
		c := e.newCode(hostA, "ac1", "g1")
		e.must(e.s.Codes().Put(e.ctx, c))
		e.is("Put again", e.s.Codes().Put(e.ctx, e.newCode(hostA, "ac1", "g2")), store.ErrConflict)
		e.clock.Advance(time.Second)

		got, err := e.s.Codes().Consume(e.ctx, hostA, "ac1")
		e.must(err)
		want := *c
		want.UsedAt = e.now()
		same(t, "Consume", got, &want)

		got, err = e.s.Codes().Consume(e.ctx, hostA, "ac1")
		e.is("Consume again", err, store.ErrAlreadyUsed)
		same(t, "Consume again", got, &want) // returned so the caller can revoke the grant

		_, err = e.s.Codes().Consume(e.ctx, hostA, "nope")
		e.is("Consume unknown", err, store.ErrNotFound)
	})

	t.Run("Expiry", func(t *testing.T) {
		tests := []struct {
			name    string
			advance time.Duration
			want    error
		}{
			{"just before", codeTTL - time.Second, nil},
			{"at ExpiresAt", codeTTL, store.ErrNotFound},
			{"long after", 48 * time.Hour, store.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, open)
				e.must(e.s.Codes().Put(e.ctx, e.newCode(hostA, "ac1", "g1")))
				e.clock.Advance(tt.advance)
				_, err := e.s.Codes().Consume(e.ctx, hostA, "ac1")
				e.is("Consume", err, tt.want)
			})
		}
	})

	t.Run("UsedThenExpired", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Codes().Put(e.ctx, e.newCode(hostA, "ac1", "g1")))
		_, err := e.s.Codes().Consume(e.ctx, hostA, "ac1")
		e.must(err)
		e.clock.Advance(codeTTL)
		_, err = e.s.Codes().Consume(e.ctx, hostA, "ac1")
		e.is("Consume", err, store.ErrNotFound)
		e.is("Put over the expired code", e.s.Codes().Put(e.ctx, e.newCode(hostA, "ac1", "g2")), nil)
	})
}
