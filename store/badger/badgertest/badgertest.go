// Package badgertest opens a real Badger store in a test's temporary directory, closed when the test ends.
// Tests of core packages use it so they run against the real backend, not a stand-in. SetFormat forges a data
// directory of another store format for the format tests; for that alone it imports Badger itself.
package badgertest

import (
	"context"
	"testing"

	"github.com/assentry/assentry/store"
	badgerstore "github.com/assentry/assentry/store/badger"
)

// New opens Badger in t.TempDir() with the given clock (nil: time.Now).
func New(t testing.TB, clock store.Clock) store.Store {
	t.Helper()
	st, err := badgerstore.Open(context.Background(), badgerstore.Options{Dir: t.TempDir(), Clock: clock, MemTableSize: 4 << 20})
	if err != nil {
		t.Fatalf("open badger: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}
