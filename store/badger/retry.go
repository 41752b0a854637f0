package badger

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	bdg "github.com/dgraph-io/badger/v4"

	"github.com/assentry/assentry/store"
)

// maxAttempts bounds the retries of a transaction that lost a race (bdg.ErrConflict). Losers of a consume race
// need one retry to see the winner's write; 20 only matter under heavy contention on one grant.
const maxAttempts = 20

// errMore is returned by a bulk transaction that filled up: update commits what it holds and the caller runs
// the transaction again to do the rest (see bulk).
var errMore = errors.New("badger: transaction full, continuing in the next one")

// view runs fn in a read-only transaction: one consistent snapshot.
func (s *Store) view(ctx context.Context, fn func(*txn) error) error {
	if s.observer != nil {
		defer s.observed(OpRead, time.Now())
	}
	release, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer release()
	tx := s.db.NewTransaction(false)
	defer tx.Discard()
	return fn(&txn{tx: tx, now: s.clock()})
}

// update runs fn as one write: fn's writes are committed when it returns nil, and nothing of them when it returns
// an error. With group commit (the default) the committer runs it in a batch transaction shared with the writes
// that queued beside it (commit.go); otherwise in a transaction of its own. Either way fn may run more than once
// (a batch that has to be redone, a lost race without group commit), so it must only set results it recomputes on
// every run. A nil return means the write is durable (SyncWrites): the sync that covers it has returned.
func (s *Store) update(ctx context.Context, fn func(*txn) error) error {
	return s.write(ctx, fn, false)
}

// write is update, and for solo the same alone in a transaction of its own (a write that may fill one, see bulk).
func (s *Store) write(ctx context.Context, fn func(*txn) error, solo bool) error {
	if s.observer != nil {
		defer s.observed(OpWrite, time.Now())
	}
	release, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer release()
	// Below the watermark nothing is written (space.go): Badger would fault on the full disk.
	if err := s.space.admit(); err != nil {
		return err
	}
	if s.queue != nil {
		// Once queued the write will happen: wait for its outcome rather than ctx, so a cancelled request is
		// never told "failed" about a write that became durable.
		o := &op{fn: fn, solo: solo, done: make(chan error, 1)}
		s.queue <- o
		return <-o.done
	}
	return s.runSolo(ctx, fn)
}

// attempt is one try of update.
func (s *Store) attempt(fn func(*txn) error) error {
	tx := s.db.NewTransaction(true)
	defer tx.Discard()
	t := &txn{tx: tx, now: s.clock()}
	err := guarded(fn, t)
	if err != nil && !errors.Is(err, errMore) {
		return err
	}
	if cerr := s.commitOf(tx, 1); cerr != nil {
		if errors.Is(cerr, bdg.ErrConflict) {
			return cerr // a lost race: the caller runs fn again
		}
		s.log.Error("commit failed: the write is not durable", "err", cerr)
		return fmt.Errorf("badger: commit: %w: %w", store.ErrUnavailable, cerr)
	}
	s.space.wrote(t.bytes)
	return err
}

// backoff waits a little, randomly, before the next attempt so racing writers spread out.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(attempt) * int64(100*time.Microsecond)))
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// step is one idempotent part of a bulk write (revoke one grant, end one session). It reports whether it
// changed a live record, so bulk can count them, as soon as its main write is in (even when a later write of
// the step fails); a step that finds nothing to do writes nothing.
type step func(*txn) (changed bool, err error)

// plan reads what a bulk write is about and returns its steps and the write they belong to (final, may be nil).
type plan func(*txn) (steps []step, final func(*txn) error, err error)

// bulk runs a plan in one transaction, which is the rule: a revocation, a user deletion or a client deletion is
// one atomic write.
//
// Exception: Badger caps a transaction (15% of the memtable, about 10 MiB or 100k entries by default). When the
// steps outgrow it (a user with tens of thousands of grants), bulk commits the steps done so far and plans again
// in a new transaction, until everything fits; the final write (the tombstone, the client removal) always comes
// last, so a crash in between leaves more revoked than asked, never less. bulk returns how many steps changed
// something, over all committed transactions.
func (s *Store) bulk(ctx context.Context, p plan) (int, error) {
	total := 0
	for {
		n := 0
		err := s.write(ctx, func(t *txn) error {
			n = 0
			steps, final, err := p(t)
			if err != nil {
				return err
			}
			for _, st := range steps {
				changed, err := st(t)
				if changed {
					n++
				}
				if err != nil {
					return full(t, err)
				}
			}
			if final != nil {
				return full(t, final(t))
			}
			return nil
		}, true)
		if err == nil || errors.Is(err, errMore) {
			total += n
		}
		if !errors.Is(err, errMore) {
			return total, err
		}
	}
}

// full turns bdg.ErrTxnTooBig into errMore when the transaction already holds writes (committing them makes
// progress); a single step too big for an empty transaction stays an error.
func full(t *txn, err error) error {
	if errors.Is(err, bdg.ErrTxnTooBig) && t.writes > 0 {
		return errMore
	}
	return err
}
