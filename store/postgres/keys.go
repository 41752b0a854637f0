package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

// keyStore implements store.KeyStore.
type keyStore struct{ s *Store }

// Create adds a key in one transaction of one round trip; ErrConflict if a live key has the kid.
func (ks keyStore) Create(ctx context.Context, k *store.Key) error {
	if err := need("key", k.Host, k.ID); err != nil {
		return err
	}
	b, err := enc(k)
	if err != nil {
		return err
	}
	now := ks.s.now()
	return ks.s.write(ctx, func(t *txn) error {
		var w pgx.Batch
		w.Queue(`DELETE FROM keys WHERE host = $1 AND id = $2 AND NOT `+live(3), k.Host, k.ID, now)
		exec(&w, "key "+k.ID, keyInsert, k.Host, k.ID, k.Use, k.CreatedAt, expiry(k.ExpiresAt), b)
		return t.send(ctx, &w, true)
	})
}

// Put creates or replaces a key: one statement.
func (ks keyStore) Put(ctx context.Context, k *store.Key) error {
	if err := need("key", k.Host, k.ID); err != nil {
		return err
	}
	q, err := ks.s.db()
	if err != nil {
		return err
	}
	return putKey(ctx, q, k)
}

// Get returns a live key: one query.
func (ks keyStore) Get(ctx context.Context, host, kid string) (*store.Key, error) {
	q, err := ks.s.db()
	if err != nil {
		return nil, err
	}
	return one[store.Key](ctx, q, "key "+kid,
		`SELECT data FROM keys WHERE host = $1 AND id = $2 AND `+live(3), host, kid, ks.s.now())
}

// List returns the host's live keys of one use, oldest first: one query.
func (ks keyStore) List(ctx context.Context, host, use string) ([]*store.Key, error) {
	q, err := ks.s.db()
	if err != nil {
		return nil, err
	}
	return list[store.Key](ctx, q, `SELECT data FROM keys WHERE host = $1 AND use = $2 AND `+live(3)+
		` ORDER BY created_at, id`, host, use, ks.s.now())
}

// Delete removes a live key: one statement; ErrNotFound when there is none.
func (ks keyStore) Delete(ctx context.Context, host, kid string) error {
	q, err := ks.s.db()
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `DELETE FROM keys WHERE host = $1 AND id = $2 AND `+live(3), host, kid, ks.s.now())
	if err != nil {
		return wrap(err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("key %s: %w", kid, store.ErrNotFound)
	}
	return nil
}

// keyInsert adds a key row.
const keyInsert = `INSERT INTO keys (host, id, use, created_at, expires_at, data) VALUES ($1, $2, $3, $4, $5, $6)`

// putKey creates or replaces a key row.
func putKey(ctx context.Context, q querier, k *store.Key) error {
	b, err := enc(k)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, keyInsert+` ON CONFLICT (host, id) DO UPDATE SET use = excluded.use,
		created_at = excluded.created_at, expires_at = excluded.expires_at, data = excluded.data`,
		k.Host, k.ID, k.Use, k.CreatedAt, expiry(k.ExpiresAt), b)
	return wrap(err)
}
