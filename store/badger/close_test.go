package badger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testlog"
	"github.com/assentry/assentry/store"
)

// closeGuard bounds how long the test waits for Close: far above the store's own close timeout, so it only
// catches a Close that never returns.
const closeGuard = 60 * time.Second

// closeWithin runs s.Close and returns its error, or fails the test, showing the store's log, if it has not
// returned after closeGuard.
func closeWithin(t *testing.T, s *Store, logs *testlog.Buffer) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		return err
	case <-time.After(closeGuard):
		t.Fatalf("Close did not return within %s; the store's log:\n%s", closeGuard, logs)
		return nil
	}
}

// TestCloseWhenFlushFails: when Badger cannot flush its memtable on Close (here its data directory was removed,
// so the table file cannot be created), Badger's own Close retries once a second for ever. The store's Close must
// still return, with an error that says what happened, and a later Close must return too.
func TestCloseWhenFlushFails(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	logs := &testlog.Buffer{}
	s, err := Open(context.Background(), Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		MemTableSize: 4 << 20, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 10 {
		// Acknowledged writes: each is in the memtable and synced to its write-ahead log, not yet in a table.
		if err := s.Users().Create(ctx, &store.User{ID: fmt.Sprintf("u%d", i), Host: "h", Username: fmt.Sprintf("user%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}

	err = closeWithin(t, s, logs)
	if !errors.Is(err, ErrCloseTimeout) || !strings.Contains(err.Error(), "close did not finish in 10s: the data directory may be unwritable") {
		t.Fatalf("Close with an unwritable data directory: %v, want a close-did-not-finish error", err)
	}
	t.Logf("Close: %v", err)
	if !strings.Contains(logs.String(), "error flushing memtable") {
		t.Errorf("Badger's flush did not fail as the test intends; its log:\n%s", logs)
	}
	if _, err := s.Users().Get(ctx, "h", "u1"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get after a timed-out Close: %v, want ErrClosed", err)
	}

	// With the directory back, the flush that was retrying succeeds and Badger's close ends; a second Close
	// waits for that same close (whatever it reports) instead of starting another.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	err = closeWithin(t, s, logs)
	if errors.Is(err, ErrCloseTimeout) {
		t.Fatalf("second Close, with the directory back: %v", err)
	}
	t.Logf("second Close, with the directory back: %v", err)
}
