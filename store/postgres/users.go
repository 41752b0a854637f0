package postgres

import (
	"context"
	"fmt"

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

// Update replaces a live user and ends what opts says: one statement (writable CTEs, each guarded by the user's
// update, so an unknown user writes nothing).
func (us userStore) Update(ctx context.Context, u *store.User, opts store.UserUpdate) error {
	q, err := us.s.db()
	if err != nil {
		return err
	}
	v := *u
	v.Deleted = false // Delete, not Update, makes tombstones
	b, err := enc(&v)
	if err != nil {
		return err
	}
	now := us.s.now()
	sql := `WITH u AS (UPDATE users SET username = $3, data = $4 WHERE host = $1 AND id = $2 AND NOT deleted RETURNING id)`
	if opts.EndSessions {
		sql += `, s AS (` + endUserSessions + `)`
	}
	args := []any{u.Host, u.ID, u.Username, b}
	if opts.RevokeGrants {
		sql += `, g AS (` + revokeUserGrants(5) + `)`
		args = append(args, now, jtime(now)) // only then: PostgreSQL refuses a parameter no statement uses
	}
	var n int
	if err := q.QueryRow(ctx, sql+` SELECT count(*) FROM u`, args...).Scan(&n); err != nil {
		return wrap(err)
	}
	if n == 0 {
		return fmt.Errorf("user %s: %w", u.ID, store.ErrNotFound)
	}
	return nil
}

// Delete turns the user into a tombstone (keeping its CreatedAt) and ends its sessions, grants and consents: one
// statement (writable CTEs, each guarded by the tombstone's write, so an unknown user writes nothing).
func (us userStore) Delete(ctx context.Context, host, id string) error {
	q, err := us.s.db()
	if err != nil {
		return err
	}
	now := us.s.now()
	tomb, err := enc(&store.User{ID: id, Host: host, Deleted: true, UpdatedAt: now})
	if err != nil {
		return err
	}
	var n int
	err = q.QueryRow(ctx, `WITH u AS (UPDATE users SET deleted = true,
				data = jsonb_set($3::jsonb, '{created_at}', COALESCE(data->'created_at', $3::jsonb->'created_at'))
			WHERE host = $1 AND id = $2 AND NOT deleted RETURNING id),
		s AS (`+endUserSessions+`),
		g AS (`+revokeUserGrants(4)+`),
		c AS (DELETE FROM consents WHERE host = $1 AND user_id = $2 AND EXISTS (SELECT 1 FROM u))
		SELECT count(*) FROM u`, host, id, tomb, now, jtime(now)).Scan(&n)
	if err != nil {
		return wrap(err)
	}
	if n == 0 {
		return fmt.Errorf("user %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// endUserSessions ends the sessions of user $2 of host $1 when the CTE u wrote the user.
const endUserSessions = `DELETE FROM sessions WHERE host = $1 AND user_id = $2 AND EXISTS (SELECT 1 FROM u)`

// revokeUserGrants revokes the live grants of user $2 of host $1 when the CTE u wrote the user; the clock is
// parameter $now, the same as JSON $now+1.
func revokeUserGrants(now int) string {
	return fmt.Sprintf(`UPDATE grants SET revoked = true,
			data = jsonb_set(jsonb_set(data, '{revoked}', 'true'), '{revoked_at}', $%d::jsonb)
		WHERE host = $1 AND user_id = $2 AND NOT revoked AND (expires_at IS NULL OR expires_at > $%d)
			AND EXISTS (SELECT 1 FROM u)`, now+1, now)
}

// List returns the live users of a host ordered by username: one query.
func (us userStore) List(ctx context.Context, host string) ([]*store.User, error) {
	q, err := us.s.db()
	if err != nil {
		return nil, err
	}
	return list[store.User](ctx, q, `SELECT data FROM users WHERE host = $1 AND NOT deleted ORDER BY username`, host)
}
