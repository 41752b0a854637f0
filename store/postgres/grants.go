package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

// grantStore implements store.GrantStore. Tokens carry their grant id and every token read joins the grant,
// so revoking a grant is one conditional UPDATE of one row, atomic for every instance.
type grantStore struct{ s *Store }

// Create adds a grant, and toks when given, in one transaction; ErrConflict if a live grant has the id.
func (gs grantStore) Create(ctx context.Context, g *store.Grant, toks ...*store.Token) error {
	if err := need("grant", g.Host, g.ID); err != nil {
		return err
	}
	if err := sameGrant(g.Host, g.ID, toks); err != nil {
		return err
	}
	now := gs.s.now()
	return gs.s.tx(ctx, func(tx pgx.Tx) error {
		v := *g
		if err := insertGrant(ctx, tx, &v, now); err != nil {
			return err
		}
		return putTokens(ctx, tx, &v, toks)
	})
}

// Get returns a live grant, revoked or not: one query.
func (gs grantStore) Get(ctx context.Context, host, id string) (*store.Grant, error) {
	q, err := gs.s.db()
	if err != nil {
		return nil, err
	}
	return one[store.Grant](ctx, q, "grant "+id,
		`SELECT data FROM grants WHERE host = $1 AND id = $2 AND `+live(3), host, id, gs.s.now())
}

// Revoke marks a live grant revoked (keeping the first RevokedAt): one statement; ErrNotFound when unknown.
func (gs grantStore) Revoke(ctx context.Context, host, id string) error {
	q, err := gs.s.db()
	if err != nil {
		return err
	}
	now := gs.s.now()
	tag, err := q.Exec(ctx, `UPDATE grants SET revoked = true, data = CASE WHEN revoked THEN data
			ELSE jsonb_set(jsonb_set(data, '{revoked}', 'true'), '{revoked_at}', $4::jsonb) END
		WHERE host = $1 AND id = $2 AND `+live(3), host, id, now, jtime(now))
	if err != nil {
		return wrap(err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("grant %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// RevokeByUser revokes every live grant of a user: one statement.
func (gs grantStore) RevokeByUser(ctx context.Context, host, userID string) (int, error) {
	q, err := gs.s.db()
	if err != nil {
		return 0, err
	}
	return revokeGrants(ctx, q, host, "user_id", userID, gs.s.now())
}

// ListByUser returns the user's live, unrevoked grants, oldest first: one query.
func (gs grantStore) ListByUser(ctx context.Context, host, userID string) ([]*store.Grant, error) {
	q, err := gs.s.db()
	if err != nil {
		return nil, err
	}
	return list[store.Grant](ctx, q, `SELECT data FROM grants WHERE host = $1 AND user_id = $2 AND NOT revoked AND `+
		live(3)+` ORDER BY created_at, id`, host, userID, gs.s.now())
}

// insertGrant adds g, replacing an expired grant of the same id; ErrConflict if a live one has it.
func insertGrant(ctx context.Context, tx pgx.Tx, g *store.Grant, now time.Time) error {
	b, err := enc(g)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM grants WHERE host = $1 AND id = $2 AND NOT `+live(3), g.Host, g.ID, now); err != nil {
		return wrap(err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO grants (host, id, user_id, client_id, created_at, expires_at, revoked, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		g.Host, g.ID, g.UserID, g.ClientID, g.CreatedAt, expiry(g.ExpiresAt), g.Revoked, b)
	if err != nil {
		return fmt.Errorf("grant %s: %w", g.ID, wrap(err))
	}
	return nil
}

// revokeGrants revokes every live, unrevoked grant whose column col (user_id or client_id) is owner, and
// returns how many it revoked.
func revokeGrants(ctx context.Context, q querier, host, col, owner string, now time.Time) (int, error) {
	tag, err := q.Exec(ctx, `UPDATE grants SET revoked = true,
			data = jsonb_set(jsonb_set(data, '{revoked}', 'true'), '{revoked_at}', $4::jsonb)
		WHERE host = $1 AND `+col+` = $2 AND NOT revoked AND `+live(3), host, owner, now, jtime(now))
	if err != nil {
		return 0, wrap(err)
	}
	return int(tag.RowsAffected()), nil
}
