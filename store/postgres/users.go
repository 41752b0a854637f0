package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

// userStore implements store.UserStore. A partial unique index on (host, username) among live users enforces
// username uniqueness across instances; a tombstone keeps its row, so its id is never reused.
type userStore struct{ s *Store }

// Create adds a user in one statement; ErrConflict if the id exists (even as a tombstone) or the username is
// taken.
func (us userStore) Create(ctx context.Context, u *store.User) error {
	if err := need("user", u.Host, u.ID); err != nil {
		return err
	}
	q, err := us.s.db()
	if err != nil {
		return err
	}
	v := *u
	v.Deleted = false
	b, err := enc(&v)
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `INSERT INTO users (host, id, username, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (host, id) DO NOTHING`, u.Host, u.ID, u.Username, b)
	if err != nil {
		return wrap(err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("user %s exists: %w", u.ID, store.ErrConflict)
	}
	return nil
}

// Get returns a live user by id: one query.
func (us userStore) Get(ctx context.Context, host, id string) (*store.User, error) {
	q, err := us.s.db()
	if err != nil {
		return nil, err
	}
	return one[store.User](ctx, q, "user "+id,
		`SELECT data FROM users WHERE host = $1 AND id = $2 AND NOT deleted`, host, id)
}

// GetByUsername returns a live user by normalised username: one query.
func (us userStore) GetByUsername(ctx context.Context, host, username string) (*store.User, error) {
	q, err := us.s.db()
	if err != nil {
		return nil, err
	}
	return one[store.User](ctx, q, fmt.Sprintf("username %q", username),
		`SELECT data FROM users WHERE host = $1 AND username = $2 AND NOT deleted`, host, username)
}

// Update replaces a live user and ends what opts says, in one transaction.
func (us userStore) Update(ctx context.Context, u *store.User, opts store.UserUpdate) error {
	v := *u
	v.Deleted = false // Delete, not Update, makes tombstones
	b, err := enc(&v)
	if err != nil {
		return err
	}
	now := us.s.now()
	return us.s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET username = $3, data = $4
			WHERE host = $1 AND id = $2 AND NOT deleted`, u.Host, u.ID, u.Username, b)
		if err != nil {
			return wrap(err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("user %s: %w", u.ID, store.ErrNotFound)
		}
		if opts.EndSessions {
			if _, err := endSessions(ctx, tx, u.Host, u.ID, "", now); err != nil {
				return err
			}
		}
		if opts.RevokeGrants {
			if _, err := revokeGrants(ctx, tx, u.Host, "user_id", u.ID, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// Delete turns the user into a tombstone and ends its sessions, grants and consents, in one transaction.
func (us userStore) Delete(ctx context.Context, host, id string) error {
	now := us.s.now()
	return us.s.tx(ctx, func(tx pgx.Tx) error {
		old, err := one[store.User](ctx, tx, "user "+id,
			`SELECT data FROM users WHERE host = $1 AND id = $2 AND NOT deleted FOR UPDATE`, host, id)
		if err != nil {
			return err
		}
		tomb := &store.User{ID: old.ID, Host: old.Host, Deleted: true, CreatedAt: old.CreatedAt, UpdatedAt: now}
		b, err := enc(tomb)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET deleted = true, data = $3 WHERE host = $1 AND id = $2`,
			host, id, b); err != nil {
			return wrap(err)
		}
		if _, err := endSessions(ctx, tx, host, id, "", now); err != nil {
			return err
		}
		if _, err := revokeGrants(ctx, tx, host, "user_id", id, now); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM consents WHERE host = $1 AND user_id = $2`, host, id)
		return wrap(err)
	})
}

// List returns the live users of a host ordered by username: one query.
func (us userStore) List(ctx context.Context, host string) ([]*store.User, error) {
	q, err := us.s.db()
	if err != nil {
		return nil, err
	}
	return list[store.User](ctx, q, `SELECT data FROM users WHERE host = $1 AND NOT deleted ORDER BY username`, host)
}
