package storetest

import (
	"fmt"
	"testing"

	"github.com/assentry/assentry/internal/together"
	"github.com/assentry/assentry/store"
)

// testRaces checks that one-time artifacts and unique names have exactly one winner among racers goroutines.
// One-time artifacts are raced by RaceOneTime, 200 fresh ones of each kind one after the other: a single race
// is too easily won by a broken backend's luck.
func testRaces(t *testing.T, open Opener) {
	for _, kind := range OneTimeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, open)
			bad := RaceOneTime(e.ctx, e.s, kind, e.now())
			for i, v := range bad {
				if i == 10 {
					t.Errorf("... and %d more", len(bad)-i)
					break
				}
				t.Error(v)
			}
		})
	}
	tests := []struct {
		name  string
		racer func(e *env, i int) error
		loser error
		check func(e *env, errs []error)
	}{
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
			errs := together.Run(racers, func(i int) error { return tt.racer(e, i) })
			oneWinner(t, errs, tt.loser)
			if tt.check != nil {
				tt.check(e, errs)
			}
		})
	}
}
