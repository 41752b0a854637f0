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

// Create adds a grant, and toks when given, in one transaction of one round trip; ErrConflict if a live grant
// has the id. The grant is written with the expiry its tokens give it, so nothing needs reading first.
func (gs grantStore) Create(ctx context.Context, g *store.Grant, toks ...*store.Token) error {
	if err := need("grant", g.Host, g.ID); err != nil {
		return err
	}
	if err := sameGrant(g.Host, g.ID, toks); err != nil {
		return err
	}
	v := *g
	v.ExpiresAt = extendFor(g, toks)
	now := gs.s.now()
	if len(toks) > 0 {
		v.UsedAt = now // issued at once: the grant's first use
	}
	return gs.s.write(ctx, func(t *txn) error {
		var w pgx.Batch
		if err := queueGrant(&w, &v, now); err != nil {
			return err
		}
		for _, k := range toks {
			if err := queueToken(&w, k); err != nil {
				return err
			}
		}
		return t.send(ctx, &w, true)
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

// queueGrant queues the insertion of g, replacing an expired grant of the same id; ErrConflict if a live one
// has it.
func queueGrant(b *pgx.Batch, g *store.Grant, now time.Time) error {
	gb, err := enc(g)
	if err != nil {
		return err
	}
	b.Queue(`DELETE FROM grants WHERE host = $1 AND id = $2 AND NOT `+live(3), g.Host, g.ID, now)
	exec(b, "grant "+g.ID, `INSERT INTO grants (host, id, user_id, client_id, created_at, expires_at, revoked, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		g.Host, g.ID, g.UserID, g.ClientID, g.CreatedAt, expiry(g.ExpiresAt), g.Revoked, gb)
	return nil
}

// revokeGrantsSQL revokes every live, unrevoked grant whose column col (user_id or client_id) is $2, at $3 (the
// clock; $4 the same as JSON).
func revokeGrantsSQL(col string) string {
	return `UPDATE grants SET revoked = true,
			data = jsonb_set(jsonb_set(data, '{revoked}', 'true'), '{revoked_at}', $4::jsonb)
		WHERE host = $1 AND ` + col + ` = $2 AND NOT revoked AND ` + live(3)
}

// revokeGrants revokes every live, unrevoked grant whose column col (user_id or client_id) is owner, and
// returns how many it revoked.
func revokeGrants(ctx context.Context, q querier, host, col, owner string, now time.Time) (int, error) {
	tag, err := q.Exec(ctx, revokeGrantsSQL(col), host, owner, now, jtime(now))
	if err != nil {
		return 0, wrap(err)
	}
	return int(tag.RowsAffected()), nil
}
