package badger

import (
	"context"
	"errors"
	"fmt"
	"time"

	bdg "github.com/dgraph-io/badger/v4"

	"github.com/assentry/assentry/store"
)

// Group commit. With SyncWrites, Badger syncs its write-ahead log once per transaction commit, one after another,
// so durable throughput would be one sync per write however many requests wait. Instead every write goes to one
// committer goroutine, which runs the writes that queued up while the previous batch was syncing in one Badger
// transaction, one after another, and commits that transaction once: one sync covers the whole batch.
//
// Each write keeps its own outcome. It runs against the batch transaction through an overlay (txn.ov): it reads
// the database as the earlier writes of the batch left it, its own writes stay in the overlay, and only when it
// returns nil are they applied to the batch; a write that fails leaves nothing behind. Nobody is answered before
// the commit (and so the sync) that covers their write has returned; if that commit fails, every write of the
// batch fails with store.ErrUnavailable, and so does every write that failed on its own after the batch's first
// successful one (its error may rest on what they wrote: a session one of them deleted, a name one of them took).
// One writer also means no two write transactions ever race: Badger's conflict retries (retry.go) are only left
// for the solo path.
//
// A batch stays within half of Badger's transaction limits (entries and bytes), by the overlay's own count; a
// write too big to share (a bulk revocation, see bulk) runs alone on a transaction of its own.

// op is one write waiting for the committer.
type op struct {
	fn   func(*txn) error
	solo bool       // run alone, directly on a transaction (bulk writes, and the fallback)
	done chan error // receives the outcome once it is durable (or failed)
}

// maxBatchOps bounds the writes of one batch, so a burst is answered in several syncs rather than one long wait.
const maxBatchOps = 256

// committer runs the queued writes until the queue is closed (Close).
func (s *Store) committer() {
	defer close(s.committed)
	for first := range s.queue {
		batch := []*op{first}
	drain:
		for len(batch) < maxBatchOps {
			select {
			case o, ok := <-s.queue:
				if !ok {
					break drain
				}
				batch = append(batch, o)
			default:
				break drain
			}
		}
		s.runBatch(batch)
	}
}

// runBatch runs ops: the shared ones in as few transactions as the limits allow, each solo one alone, in order.
func (s *Store) runBatch(ops []*op) {
	var shared []*op
	for _, o := range ops {
		if o.solo {
			s.commitShared(shared)
			shared = nil
			o.done <- s.runSolo(context.Background(), o.fn)
			continue
		}
		shared = append(shared, o)
	}
	s.commitShared(shared)
}

// group is one batch transaction being filled.
type group struct {
	tx      *bdg.Txn
	entries int64
	bytes   int64
	waiting []*op // applied to tx, answered when it commits
	failed  []failure
}

// failure is a write that failed on its own (its overlay was dropped), answered with the batch.
type failure struct {
	o   *op
	err error
	// late: it ran after writes of the batch had succeeded, so it read what they wrote and its error is only
	// true if their commit succeeds.
	late bool
}

// commitShared runs ops in batch transactions and answers each once its outcome is durable.
func (s *Store) commitShared(ops []*op) {
	if len(ops) == 0 {
		return
	}
	maxEntries, maxBytes := s.db.MaxBatchCount()/2, s.db.MaxBatchSize()/2
	g := &group{tx: s.db.NewTransaction(true)}
	for _, o := range ops {
		t := &txn{tx: g.tx, now: s.clock(), ov: newOverlay()}
		err := guarded(o.fn, t)
		if err != nil {
			g.failed = append(g.failed, failure{o, err, len(g.waiting) > 0})
			continue
		}
		n, size := t.ov.cost()
		if g.entries+n > maxEntries || g.bytes+size > maxBytes {
			if len(g.waiting) > 0 || len(g.failed) > 0 {
				// The write read the database as it is now, and the batch's writes are all it has not seen
				// committed: committing them first keeps what it read true. If that commit fails, what it read
				// is gone: it fails with them.
				read := len(g.waiting) > 0
				cerr := s.finish(g)
				g = &group{tx: s.db.NewTransaction(true)}
				if cerr != nil && read {
					o.done <- cerr
					continue
				}
			}
			if n > maxEntries || size > maxBytes {
				o.done <- s.runSolo(context.Background(), o.fn) // too big to share: alone, as bulk writes are
				continue
			}
		}
		if err := t.ov.apply(g.tx); err != nil {
			// Unexpected (the limits above keep a batch well within Badger's): give up on sharing. The batch
			// transaction is discarded, so every write of it runs again alone.
			g.tx.Discard()
			s.log.Warn("group commit: applying a write failed; running the batch's writes one by one", "err", err)
			for _, w := range append(g.waiting, o) {
				w.done <- s.runSolo(context.Background(), w.fn)
			}
			// A write that failed after reading the batch's writes runs again too, on what is committed now.
			for _, f := range g.failed {
				if f.late {
					f.o.done <- s.runSolo(context.Background(), f.o.fn)
				} else {
					f.o.done <- f.err
				}
			}
			g = &group{tx: s.db.NewTransaction(true)}
			continue
		}
		g.entries, g.bytes = g.entries+n, g.bytes+size
		g.waiting = append(g.waiting, o)
	}
	s.finish(g)
}

// finish commits a batch (one sync for all its writes) and answers every write of it: nil to those applied, or
// store.ErrUnavailable when the commit failed; their own error to those that failed, except that a late one gets
// the commit's error too (what it read is lost). Failed writes wait for the commit too, so no answer overtakes
// the write it may depend on. It returns the commit's error.
func (s *Store) finish(g *group) error {
	defer g.tx.Discard()
	var err error
	if len(g.waiting) > 0 {
		s.stats.commit(len(g.waiting))
		if cerr := s.commitOf(g.tx, len(g.waiting)); cerr != nil {
			s.log.Error("group commit failed: the batch's writes are not durable", "err", cerr, "writes", len(g.waiting))
			err = fmt.Errorf("badger: commit of %d writes: %w: %w", len(g.waiting), store.ErrUnavailable, cerr)
		} else {
			s.space.wrote(g.bytes) // may probe the free space before the next batch (space.go)
		}
	}
	for _, o := range g.waiting {
		o.done <- err
	}
	for _, f := range g.failed {
		if err != nil && f.late {
			f.o.done <- err
		} else {
			f.o.done <- f.err
		}
	}
	return err
}

// guarded runs fn on t, turning a panic into an error: the committer serves every request, so one write's bug
// must not take the others (or the process) down with it. Its overlay is dropped like any failed write's.
func guarded(fn func(*txn) error, t *txn) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("badger: a write panicked: %v", r)
		}
	}()
	return fn(t)
}

// runSolo runs fn alone on a transaction of its own, committed at once, retrying a lost race after a short
// random wait: the path of every write without group commit, and of the committer's solo writes (which cannot
// lose a race, the committer being the only writer, but the rule stays one).
func (s *Store) runSolo(ctx context.Context, fn func(*txn) error) error {
	for attempt := 1; ; attempt++ {
		s.stats.commit(1)
		err := s.attempt(fn)
		if !errors.Is(err, bdg.ErrConflict) {
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("badger: gave up after %d conflicting attempts: %w", attempt, err)
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// commitOf commits a write transaction carrying writes writes, and tells the Observer what it took.
func (s *Store) commitOf(tx *bdg.Txn, writes int) error {
	if s.observer == nil {
		return s.commit(tx)
	}
	start := time.Now()
	err := s.commit(tx)
	s.observer.StoreCommit(writes, time.Since(start))
	return err
}

// observed tells the Observer of an operation of kind begun at start.
func (s *Store) observed(kind string, start time.Time) { s.observer.StoreOp(kind, time.Since(start)) }

// commit commits a write transaction: one sync with SyncWrites. Tests may stand in for it (commitHook).
func (s *Store) commit(tx *bdg.Txn) error {
	if s.commitHook != nil {
		return s.commitHook(tx)
	}
	return tx.Commit()
}
