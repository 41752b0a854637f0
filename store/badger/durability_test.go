package badger

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bdg "github.com/dgraph-io/badger/v4"
)

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
