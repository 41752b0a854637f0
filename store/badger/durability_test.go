package badger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bdg "github.com/dgraph-io/badger/v4"

	"github.com/assentry/assentry/internal/testlog"
	"github.com/assentry/assentry/store"
)

// openLogged is openInternal with the store's log kept for the test.
func openLogged(t *testing.T, noGroup bool) (*Store, *testlog.Buffer) {
	t.Helper()
	logs := &testlog.Buffer{}
	s, err := Open(context.Background(), Options{Dir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(logs, nil)),
		MemTableSize: 4 << 20, NoGroupCommit: noGroup, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, logs
}

// getRaw reads k in a read transaction of its own.
func getRaw(t *testing.T, s *Store, k string) []byte {
	t.Helper()
	var v []byte
	if err := s.view(context.Background(), func(t *txn) (err error) { v, err = t.get([]byte(k)); return err }); err != nil {
		t.Fatal(err)
	}
	return v
}

// failDiscarded makes Badger's own commit fail: a discarded transaction cannot be committed ("Trying to commit a
// discarded txn"), and nothing of it is written. The database itself stays healthy.
func failDiscarded(tx *bdg.Txn) error {
	tx.Discard()
	return tx.Commit()
}

// TestAnsweredAfterCommit: the group committer answers no write before the commit that covers it has returned.
// Many writers write concurrently (so batches form); each checks, as soon as it is answered, that a commit which
// started after its write was queued has returned, and that a read transaction of its own sees the write.
func TestAnsweredAfterCommit(t *testing.T) {
	s := openInternal(t, false)
	var started, returned atomic.Int64
	s.commitHook = func(tx *bdg.Txn) error {
		started.Add(1)
		// Widen the window an early answer would fall into; nothing below depends on time.
		time.Sleep(100 * time.Microsecond)
		err := tx.Commit()
		returned.Add(1)
		return err
	}
	const writers, each = 32, 30
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				k := []byte(fmt.Sprintf("ack/%02d/%03d", w, i))
				// Commits run one after another: the one covering this write starts later than now, so once it
				// has returned, returned exceeds what started counts now.
				before := started.Load()
				if err := s.update(ctx, func(t *txn) error { return t.set(k, k, time.Time{}) }); err != nil {
					errs <- fmt.Errorf("write %s: %w", k, err)
					return
				}
				if returned.Load() <= before {
					errs <- fmt.Errorf("write %s answered before the commit covering it returned", k)
					return
				}
				var got []byte
				if err := s.view(ctx, func(t *txn) (err error) { got, err = t.get(k); return err }); err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, k) {
					errs <- fmt.Errorf("write %s answered, but a new read transaction does not see it (%q)", k, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st := s.Stats()
	t.Logf("%d writes in %d commits", st.Writes, st.Commits)
	if st.Writes != writers*each || st.Commits >= st.Writes {
		t.Fatalf("stats %+v: want %d writes in fewer commits (batches must form for this test to mean anything)", st, writers*each)
	}
}

// TestFailedCommitFailsEveryWrite: when Badger's commit fails, every write it carried, shared or alone, gets an
// error wrapping store.ErrUnavailable (the server answers 503), the failure is logged, nothing of the writes is
// there, and the store works again once commits do.
func TestFailedCommitFailsEveryWrite(t *testing.T) {
	for _, noGroup := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoGroupCommit=%v", noGroup), func(t *testing.T) {
			s, logs := openLogged(t, noGroup)
			var failing atomic.Bool
			failing.Store(true)
			s.commitHook = func(tx *bdg.Txn) error {
				if failing.Load() {
					return failDiscarded(tx)
				}
				return tx.Commit()
			}
			const writers, each = 16, 8
			ctx := context.Background()
			var wg sync.WaitGroup
			var mu sync.Mutex
			var bad []string
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						k := []byte(fmt.Sprintf("fail/%02d/%02d", w, i))
						// Every fourth write runs alone, as bulk writes do.
						err := s.write(ctx, func(t *txn) error { return t.set(k, k, time.Time{}) }, i%4 == 3)
						if !errors.Is(err, store.ErrUnavailable) {
							mu.Lock()
							bad = append(bad, fmt.Sprintf("%s: %v", k, err))
							mu.Unlock()
						}
					}
				}()
			}
			wg.Wait()
			if len(bad) > 0 {
				t.Fatalf("%d of %d writes were not failed with store.ErrUnavailable, e.g. %s", len(bad), writers*each, bad[0])
			}
			if !strings.Contains(logs.String(), "commit failed") || !strings.Contains(logs.String(), "discarded txn") {
				t.Fatalf("the failed commits are not logged with their cause:\n%s", logs)
			}
			for w := range writers {
				for i := range each {
					if v := getRaw(t, s, fmt.Sprintf("fail/%02d/%02d", w, i)); v != nil {
						t.Fatalf("a write whose commit failed is there")
					}
				}
			}
			failing.Store(false)
			if err := s.update(ctx, func(t *txn) error { return t.set([]byte("after"), []byte("1"), time.Time{}) }); err != nil {
				t.Fatalf("a write once commits work again: %v", err)
			}
		})
	}
}

// TestFailedCommitFailsTheWritesThatReadIt: a write that failed on its own after reading what earlier writes of
// its batch wrote learned something its batch's commit may not make true. When that commit fails, it must fail
// with store.ErrUnavailable too, not with its own error. Here two logouts of one session share a batch whose
// commit fails: the first deleted the session, the second found it gone (ErrNotFound, which session.Manager.End
// takes for "already logged out" and the logout page answers with success); the session is still there, so both
// must get ErrUnavailable.
func TestFailedCommitFailsTheWritesThatReadIt(t *testing.T) {
	s, _ := openLogged(t, false)
	ctx := context.Background()
	now := time.Now()
	sess := &store.Session{ID: "s1", Host: "h", UserID: "u1", AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.Sessions().Put(ctx, sess); err != nil {
		t.Fatal(err)
	}
	// The first commit (a blocker) waits until both logouts are queued behind it, so they share the next batch;
	// every later commit fails.
	blocked, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int64
	s.commitHook = func(tx *bdg.Txn) error {
		if calls.Add(1) == 1 {
			close(blocked)
			<-release
			return tx.Commit()
		}
		return failDiscarded(tx)
	}
	blockerDone := make(chan error, 1)
	go func() {
		blockerDone <- s.update(ctx, func(t *txn) error { return t.set([]byte("blocker"), []byte("1"), time.Time{}) })
	}()
	<-blocked
	results := make(chan error, 2)
	for range 2 {
		go func() { results <- s.Sessions().Delete(ctx, "h", "s1") }()
	}
	for spins := 0; len(s.queue) < 2; spins++ {
		if spins > 10_000 {
			t.Fatal("the two logouts were never queued (hang guard)")
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-blockerDone; err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-results; !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("a logout of a batch whose commit failed: %v, want store.ErrUnavailable", err)
		}
	}
	if _, err := s.Sessions().Get(ctx, "h", "s1"); err != nil {
		t.Fatalf("the session after the failed commit: %v", err)
	}
}

// TestSplitBatchAfterFailedCommit: a write that does not fit beside the batch it ran in waits for that batch's
// commit and then goes into the next batch with what it read. If that commit failed, what it read is gone: it
// must fail with store.ErrUnavailable rather than be committed.
func TestSplitBatchAfterFailedCommit(t *testing.T) {
	s := openInternal(t, true)                     // no committer: runBatch is called directly
	big := make([]byte, s.db.MaxBatchSize()/2*2/3) // two do not fit in one batch, one does
	var calls atomic.Int64
	s.commitHook = func(tx *bdg.Txn) error {
		if calls.Add(1) == 1 {
			return failDiscarded(tx)
		}
		return tx.Commit()
	}
	errAbsent := errors.New("a is absent")
	mk := func(fn func(*txn) error) *op { return &op{fn: fn, done: make(chan error, 1)} }
	ops := []*op{
		mk(func(t *txn) error { return t.set([]byte("a"), big, time.Time{}) }),
		mk(func(t *txn) error {
			if v, err := t.get([]byte("a")); err != nil || v == nil {
				return errors.Join(errAbsent, err)
			}
			return t.set([]byte("b"), big, time.Time{}) // b is written only where a is
		}),
	}
	s.runBatch(ops)
	for i, o := range ops {
		if err := <-o.done; !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("write %d: %v, want store.ErrUnavailable", i, err)
		}
	}
	if a, b := getRaw(t, s, "a"), getRaw(t, s, "b"); a == nil && b != nil {
		t.Fatal("b was committed on the strength of a, whose commit failed")
	}
}

// TestFallbackAnswersAfterRerun: when a write cannot be applied to its batch, the batch's writes run again one by
// one. A write that failed after reading the batch's writes must not keep its answer: those writes are only now
// being committed, and may fail. Here every commit fails, so "a is taken" would be false.
func TestFallbackAnswersAfterRerun(t *testing.T) {
	s, logs := openLogged(t, true)
	s.commitHook = failDiscarded
	errTaken := errors.New("a is taken")
	mk := func(fn func(*txn) error) *op { return &op{fn: fn, done: make(chan error, 1)} }
	ops := []*op{
		mk(func(t *txn) error { return t.set([]byte("a"), []byte("1"), time.Time{}) }),
		mk(func(t *txn) error {
			if v, err := t.get([]byte("a")); err != nil || v != nil {
				return errors.Join(errTaken, err)
			}
			return t.set([]byte("b"), []byte("1"), time.Time{})
		}),
		// A key Badger refuses (over 65000 bytes): applying it to the batch fails, which sends the batch back
		// to be run one write at a time.
		mk(func(t *txn) error { return t.set(bytes.Repeat([]byte("k"), 70000), []byte("1"), time.Time{}) }),
	}
	s.runBatch(ops)
	for i, o := range ops[:2] {
		if err := <-o.done; !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("write %d: %v, want store.ErrUnavailable", i, err)
		}
	}
	if err := <-ops[2].done; err == nil || errors.Is(err, store.ErrUnavailable) {
		t.Errorf("the write Badger refuses: %v, want Badger's own error", err)
	}
	if !strings.Contains(logs.String(), "running the batch's writes one by one") {
		t.Fatalf("the fallback did not run:\n%s", logs)
	}
}
