package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/assentry/assentry/store"
)

// Round trips. A request pays for every round trip to the database in latency, so each operation is written to
// need as few as its semantics allow: a read is one statement; a write is one transaction sent as pipelined
// batches (pgx.Batch on one connection: every statement of a batch goes out in one flush and their results come
// back together), where each batch is one round trip. A write that does not depend on what it reads is one
// batch, BEGIN … COMMIT; a read-modify-write (redeeming a code, rotating a refresh token) is two: the first
// locks and reads the rows (BEGIN; SELECT … FOR UPDATE), the second writes and commits.

// maxAttempts bounds how often a transaction is run when the database aborted it as a serialization failure or
// a deadlock (CockroachDB's SERIALIZABLE isolation reports 40001 where PostgreSQL's read committed waits), or when
// it failed before anything was sent. A retry is safe then: nothing of the attempt was committed.
const maxAttempts = 3

// beginSQL starts each transaction. Read committed is what the row locks (SELECT … FOR UPDATE) are written for;
// CockroachDB runs it as SERIALIZABLE unless read committed is enabled in the cluster, and the retry covers that.
const beginSQL = "BEGIN ISOLATION LEVEL READ COMMITTED"

// txn is one transaction on one connection, sent as batches: each send is one round trip.
type txn struct {
	conn      *pgx.Conn
	open      bool                // BEGIN was sent
	done      bool                // COMMIT succeeded
	committed func(time.Duration) // told how long the round trip carrying COMMIT took (observe.go)
}

// send runs b, preceded by BEGIN when it is the transaction's first batch and followed by COMMIT when commit is
// set, in one round trip. The callbacks queued on b run as its results arrive; the first error (a statement's
// or a callback's) is returned, and the statements after a failed one are skipped by the server.
func (t *txn) send(ctx context.Context, b *pgx.Batch, commit bool) error {
	var q pgx.Batch
	if !t.open {
		q.Queue(beginSQL)
	}
	q.QueuedQueries = append(q.QueuedQueries, b.QueuedQueries...)
	if commit {
		q.Queue("COMMIT")
	}
	t.open = true
	start := time.Now()
	err := t.conn.SendBatch(ctx, &q).Close()
	if commit && err == nil {
		t.done = true
		t.committed(time.Since(start))
	}
	return err
}

// write runs fn as one transaction on one pooled connection, and again (up to maxAttempts in all) when the
// database aborted it as a serialization failure or deadlock, or when it failed before anything was sent. fn
// builds its batches afresh on each call and sends its last one with commit set; a transaction fn leaves open
// (it returned an error, or found nothing to write) is rolled back. The error is mapped by wrap.
func (s *Store) write(ctx context.Context, fn func(t *txn) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return s.observeWrite(func() error {
		var err error
		for range maxAttempts {
			if err = s.attempt(ctx, fn); !retryable(err) || ctx.Err() != nil {
				break
			}
		}
		return wrap(err)
	})
}

// attempt is one run of a transaction.
func (s *Store) attempt(ctx context.Context, fn func(t *txn) error) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release() // a connection left broken or inside a transaction is destroyed, not reused
	t := &txn{conn: c.Conn(), committed: s.committed}
	err = fn(t)
	if t.open && !t.done && !t.conn.IsClosed() && t.conn.PgConn().TxStatus() != 'I' {
		// One more round trip, on the paths that write nothing (a used code, a revoked grant) or failed.
		if _, rerr := t.conn.Exec(ctx, "ROLLBACK"); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}

// batch runs b as one round trip outside an explicit transaction (the statements up to the pipeline's Sync
// form one implicit transaction); for statements that are each atomic on their own.
func (s *Store) batch(ctx context.Context, b *pgx.Batch) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return s.observeWrite(func() error {
		var err error
		for range maxAttempts {
			start := time.Now()
			if err = s.pool.SendBatch(ctx, b).Close(); err == nil {
				s.committed(time.Since(start))
			}
			if !retryable(err) || ctx.Err() != nil {
				break
			}
		}
		return wrap(err)
	})
}

// retryable tells an error after which running the transaction again is safe and may succeed: the database
// aborted it (serialization failure, deadlock), or nothing was sent.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return err != nil && pgconn.SafeToRetry(err)
}

// row is a QueryRow callback that scans one row's columns into dst, and leaves them as they are (nil) when
// there is no row: the caller decides what absence means after the batch.
func row(dst ...any) func(pgx.Row) error {
	return func(r pgx.Row) error {
		if err := r.Scan(dst...); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return nil
	}
}

// affected is an Exec callback that stores the rows a statement touched in n.
func affected(n *int64) func(pgconn.CommandTag) error {
	return func(tag pgconn.CommandTag) error {
		*n = tag.RowsAffected()
		return nil
	}
}

// exec queues a statement whose failure is reported as what's (a unique violation: "grant g: …conflict").
func exec(b *pgx.Batch, what, sql string, args ...any) {
	b.Queue(sql, args...).Exec(func(pgconn.CommandTag) error { return nil })
	qq := b.QueuedQueries[len(b.QueuedQueries)-1]
	run := qq.Fn
	qq.Fn = func(br pgx.BatchResults) error {
		if err := run(br); err != nil {
			return fmt.Errorf("%s: %w", what, wrap(err))
		}
		return nil
	}
}
