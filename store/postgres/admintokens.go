package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

// adminTokenStore implements store.AdminTokenStore: server-wide rows, a unique index on the name.
type adminTokenStore struct{ s *Store }

// Create adds a token in one transaction of one round trip; ErrConflict if a live token has its id or name (an
// expired one's row is deleted first, freeing both).
func (as adminTokenStore) Create(ctx context.Context, v *store.AdminToken) error {
	if v.ID == "" || v.Name == "" {
		return errors.New("postgres: admin token needs an id and a name")
	}
	b, err := enc(v)
	if err != nil {
		return err
	}
	now := as.s.now()
	return as.s.write(ctx, func(t *txn) error {
		var w pgx.Batch
		w.Queue(`DELETE FROM admin_tokens WHERE (id = $1 OR name = $2) AND NOT `+live(3), v.ID, v.Name, now)
		exec(&w, fmt.Sprintf("admin token %q", v.Name), `INSERT INTO admin_tokens (id, name, expires_at, last_used_at, data)
			VALUES ($1, $2, $3, $4, $5)`, v.ID, v.Name, expiry(v.ExpiresAt), expiry(v.LastUsedAt), b)
		return t.send(ctx, &w, true)
	})
}

// Get returns a live token by id: one query.
func (as adminTokenStore) Get(ctx context.Context, id string) (*store.AdminToken, error) {
	q, err := as.s.db()
	if err != nil {
		return nil, err
	}
	return one[store.AdminToken](ctx, q, "admin token",
		`SELECT data FROM admin_tokens WHERE id = $1 AND `+live(2), id, as.s.now())
}

// List returns the live tokens ordered by name: one query.
func (as adminTokenStore) List(ctx context.Context) ([]*store.AdminToken, error) {
	q, err := as.s.db()
	if err != nil {
		return nil, err
	}
	return list[store.AdminToken](ctx, q, `SELECT data FROM admin_tokens WHERE `+live(1)+` ORDER BY name`, as.s.now())
}

// Revoke removes the live token named name: one statement; ErrNotFound when there is none.
func (as adminTokenStore) Revoke(ctx context.Context, name string) error {
	q, err := as.s.db()
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `DELETE FROM admin_tokens WHERE name = $1 AND `+live(2), name, as.s.now())
	if err != nil {
		return wrap(err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("admin token %q: %w", name, store.ErrNotFound)
	}
	return nil
}

// Touch moves LastUsedAt forward to at: one round trip of two statements, the conditional update and a read
// that tells a token that is not live (ErrNotFound) from one already touched later when the update changed
// nothing.
func (as adminTokenStore) Touch(ctx context.Context, id string, at time.Time) error {
	now := as.s.now()
	var n int64
	var live2 []byte
	var b pgx.Batch
	b.Queue(`UPDATE admin_tokens SET last_used_at = $3, data = jsonb_set(data, '{last_used_at}', $4::jsonb)
		WHERE id = $1 AND `+live(2)+` AND (last_used_at IS NULL OR last_used_at < $3)`, id, now, at, jtime(at)).
		Exec(affected(&n))
	b.Queue(`SELECT data FROM admin_tokens WHERE id = $1 AND `+live(2), id, now).QueryRow(row(&live2))
	if err := as.s.batch(ctx, &b); err != nil {
		return err
	}
	if n == 0 && live2 == nil {
		return fmt.Errorf("admin token: %w", store.ErrNotFound)
	}
	return nil
}
