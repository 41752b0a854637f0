package postgres

import (
	"context"
	"fmt"

	"time"

	"github.com/assentry/assentry/store"
)

// sessionStore implements store.SessionStore: one row per session, indexed by user.
type sessionStore struct{ s *Store }

// Put creates or replaces a session: one statement.
func (ss sessionStore) Put(ctx context.Context, x *store.Session) error {
	if err := need("session", x.Host, x.ID); err != nil {
		return err
	}
	q, err := ss.s.db()
	if err != nil {
		return err
	}
	b, err := enc(x)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO sessions (host, id, user_id, created_at, expires_at, data)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (host, id) DO UPDATE SET user_id = excluded.user_id, created_at = excluded.created_at,
			expires_at = excluded.expires_at, data = excluded.data`,
		x.Host, x.ID, x.UserID, x.CreatedAt, expiry(x.ExpiresAt), b)
	return wrap(err)
}

// Get returns a live session: one query.
func (ss sessionStore) Get(ctx context.Context, host, id string) (*store.Session, error) {
	q, err := ss.s.db()
	if err != nil {
		return nil, err
	}
	return one[store.Session](ctx, q, "session "+id,
		`SELECT data FROM sessions WHERE host = $1 AND id = $2 AND `+live(3), host, id, ss.s.now())
}

// Delete ends a live session: one statement; ErrNotFound when there is none.
func (ss sessionStore) Delete(ctx context.Context, host, id string) error {
	q, err := ss.s.db()
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `DELETE FROM sessions WHERE host = $1 AND id = $2 AND `+live(3), host, id, ss.s.now())
	if err != nil {
		return wrap(err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("session %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// DeleteByUser ends every session of a user: one statement.
func (ss sessionStore) DeleteByUser(ctx context.Context, host, userID string) (int, error) {
	q, err := ss.s.db()
	if err != nil {
		return 0, err
	}
	return endSessions(ctx, q, host, userID, "", ss.s.now())
}

// DeleteByUserExcept ends every session of a user but keep: one statement.
func (ss sessionStore) DeleteByUserExcept(ctx context.Context, host, userID, keep string) (int, error) {
	q, err := ss.s.db()
	if err != nil {
		return 0, err
	}
	return endSessions(ctx, q, host, userID, keep, ss.s.now())
}

// ListByUser returns the user's live sessions, oldest first: one query.
func (ss sessionStore) ListByUser(ctx context.Context, host, userID string) ([]*store.Session, error) {
	q, err := ss.s.db()
	if err != nil {
		return nil, err
	}
	return list[store.Session](ctx, q, `SELECT data FROM sessions WHERE host = $1 AND user_id = $2 AND `+live(3)+
		` ORDER BY created_at, id`, host, userID, ss.s.now())
}

// endSessions deletes the sessions of a user but keep (none when empty) and returns how many were live.
func endSessions(ctx context.Context, q querier, host, userID, keep string, now time.Time) (int, error) {
	rows, err := q.Query(ctx, `DELETE FROM sessions WHERE host = $1 AND user_id = $2 AND id <> $3
		RETURNING (expires_at IS NULL OR expires_at > $4)`, host, userID, keep, now)
	if err != nil {
		return 0, wrap(err)
	}
	n := 0
	for rows.Next() {
		var alive bool
		if err := rows.Scan(&alive); err != nil {
			rows.Close()
			return 0, wrap(err)
		}
		if alive {
			n++
		}
	}
	return n, wrap(rows.Err())
}
