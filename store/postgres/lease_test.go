package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/internal/together"
)

// TestLeaseTwoInstances races holders on two Store instances (two pools, as two servers have) for fresh leases:
// each time exactly one of them gets it, and a release by the winner lets the other take it at once.
func TestLeaseTwoInstances(t *testing.T) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	a, b := twoStores(t, clock.Now)
	ctx := t.Context()
	for round := range 50 {
		name := fmt.Sprint("keys:round-", round)
		won := make([]bool, 8)
		errs := together.Run(len(won), func(i int) error {
			s := a
			if i%2 == 1 {
				s = b
			}
			ok, err := s.TakeLease(ctx, name, fmt.Sprint("holder-", i), time.Minute)
			won[i] = ok
			return err
		})
		for _, err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		winner := -1
		for i, w := range won {
			if w {
				if winner >= 0 {
					t.Fatalf("round %d: holders %d and %d both got the lease", round, winner, i)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no holder got the free lease", round)
		}
		other := (winner + 1) % len(won)
		if err := a.ReleaseLease(ctx, name, fmt.Sprint("holder-", winner)); err != nil {
			t.Fatal(err)
		}
		if ok, err := b.TakeLease(ctx, name, fmt.Sprint("holder-", other), time.Minute); err != nil || !ok {
			t.Fatalf("round %d: after the release, another instance's holder got %v, %v", round, ok, err)
		}
	}
}
