package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/assentry/assentry/store"
)

// querier is what a statement runs on: the pool (one round trip, autocommit) or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// db returns the pool, or ErrClosed after Close.
func (s *Store) db() (querier, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	return s.pool, nil
}

// tx runs fn in one read-committed transaction (BEGIN … COMMIT): what fn writes is committed, and durable,
// when tx returns nil, and rolled back when fn fails. Row locks (SELECT … FOR UPDATE) taken in fn are what
// makes read-modify-write operations atomic across instances.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return s.observeWrite(func() error {
		tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		if err != nil {
			return wrap(err)
		}
		// After a commit this is a no-op; otherwise (fn failed, or panicked) it ends the transaction, and pgx
		// closes the connection if the rollback cannot be sent.
		defer func() { _ = tx.Rollback(ctx) }()
		if err := fn(tx); err != nil {
			return wrap(err)
		}
		start := time.Now()
		if err := tx.Commit(ctx); err != nil {
			return wrap(err)
		}
		s.committed(time.Since(start))
		return nil
	})
}

// live is the SQL condition of a row that has not expired at the parameter $n (the backend clock).
func live(n int) string { return fmt.Sprintf("(expires_at IS NULL OR expires_at > $%d)", n) }

// expiry is a record's expiry as a column value: NULL for the zero time (never expires).
func expiry(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// enc encodes a record for its data column.
func enc(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("postgres: encode: %w", err)
	}
	return b, nil
}

// jtime is t as a JSON value, for jsonb_set of a time field inside data.
func jtime(t time.Time) string {
	b, _ := json.Marshal(t) // a time.Time in years 0..9999 always marshals
	return string(b)
}

// one reads the single data column of one row into a new T; ErrNotFound (wrapped with what) when there is none.
func one[T any](ctx context.Context, q querier, what, sql string, args ...any) (*T, error) {
	var b []byte
	if err := q.QueryRow(ctx, sql, args...).Scan(&b); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("%s: %w", what, store.ErrNotFound)
		}
		return nil, wrap(err)
	}
	return dec[T](b)
}

// list reads the data column of every row into Ts, in the query's order.
func list[T any](ctx context.Context, q querier, sql string, args ...any) ([]*T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrap(err)
	}
	var out []*T
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return nil, wrap(err)
		}
		v, err := dec[T](b)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, v)
	}
	return out, wrap(rows.Err())
}

// dec decodes a data column.
func dec[T any](b []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("postgres: decode %T: %w", v, err)
	}
	return v, nil
}

// need checks that a record names its host and id.
func need(what, host, id string) error {
	if host == "" || id == "" {
		return fmt.Errorf("postgres: %s needs a host and an id", what)
	}
	return nil
}
