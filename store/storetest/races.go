package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/assentry/assentry/store"
)

// testRaces checks that one-time artifacts and unique names have exactly one winner among racers goroutines.
func testRaces(t *testing.T, open Opener) {
	tests := []struct {
		name  string
		setup func(e *env)
		racer func(e *env, i int) error
		loser error
		check func(e *env, errs []error)
	}{
		{
			name:  "Codes.Consume",
			setup: func(e *env) { e.must(e.s.Codes().Put(e.ctx, e.newCode(hostA, "ac1", "g1"))) },
			racer: func(e *env, _ int) error {
				c, err := e.s.Codes().Consume(e.ctx, hostA, "ac1")
				if c == nil && (err == nil || errors.Is(err, store.ErrAlreadyUsed)) {
					return fmt.Errorf("no code returned with %v", err)
				}
				return err
			},
			loser: store.ErrAlreadyUsed,
		},
		{
			name: "DeviceCodes.Consume",
			setup: func(e *env) {
				d := e.newDeviceCode(hostA, "dc1", "WDJBMJHT")
				d.Status = "approved"
				e.must(e.s.DeviceCodes().Put(e.ctx, d))
			},
			racer: func(e *env, _ int) error { _, err := e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1"); return err },
			loser: store.ErrAlreadyUsed,
		},
		{
			name:  "Tokens.Rotate",
			setup: func(e *env) { e.newChain(hostA, "g1", "u1", "c1") },
			racer: func(e *env, i int) error {
				g := e.newGrant(hostA, "g1", "u1", "c1")
				_, err := e.s.Tokens().Rotate(e.ctx, hostA, "g1-rt", e.newToken(g, fmt.Sprint("rt2-", i), store.RefreshToken))
				return err
			},
			loser: store.ErrAlreadyUsed,
			check: func(e *env, errs []error) {
				for i, err := range errs {
					want := store.ErrNotFound // a losing rotation stores nothing
					if err == nil {
						want = nil
					}
					e.is(fmt.Sprint("next token of racer ", i), e.tokenErr(hostA, fmt.Sprint("rt2-", i)), want)
				}
			},
		},
		{
			name: "Users.Create same username",
			racer: func(e *env, i int) error {
				return e.s.Users().Create(e.ctx, newUser(hostA, fmt.Sprint("u", i), "alice"))
			},
			loser: store.ErrConflict,
			check: func(e *env, errs []error) {
				u, err := e.s.Users().GetByUsername(e.ctx, hostA, "alice")
				e.must(err)
				for i, err := range errs {
					if err == nil && u.ID != fmt.Sprint("u", i) {
						e.t.Errorf("alice is %s, but racer %d won", u.ID, i)
					}
				}
			},
		},
		{
			name: "DeviceCodes.Put same user code",
			racer: func(e *env, i int) error {
				return e.s.DeviceCodes().Put(e.ctx, e.newDeviceCode(hostA, fmt.Sprint("dc", i), "WDJBMJHT"))
			},
			loser: store.ErrConflict,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, open)
			if tt.setup != nil {
				tt.setup(e)
			}
			errs := race(racers, func(i int) error { return tt.racer(e, i) })
			oneWinner(t, errs, tt.loser)
			if tt.check != nil {
				tt.check(e, errs)
			}
		})
	}
}
