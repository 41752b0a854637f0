package postgres_test

import (
	"testing"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger"
	"github.com/assentry/assentry/store/storetest"
)

// TestTransferToBadger moves a host from PostgreSQL to Badger (the conformance suite moves one between two
// stores of the same backend, and cmd/assentry's tests from Badger to PostgreSQL through the binary).
func TestTransferToBadger(t *testing.T) {
	dsn := testDSN(t)
	fromPostgres := func(t *testing.T, dir string, clock store.Clock) store.Store { return open(t, dsn, dir, clock) }
	toBadger := func(t *testing.T, dir string, clock store.Clock) store.Store {
		s, err := badger.Open(t.Context(), badger.Options{Dir: dir, Clock: clock, Logger: quiet, MemTableSize: 4 << 20})
		if err != nil {
			t.Fatalf("badger.Open: %v", err)
		}
		return s
	}
	storetest.Transfer(t, fromPostgres, toBadger)
}
