package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

// codeStore implements store.CodeStore. Consume locks the code's row (FOR UPDATE), so of two instances
// redeeming one code at once the second waits for the first to commit and then sees it used.
type codeStore struct{ s *Store }

// Put stores a code, and its new grant when given, in one transaction; ErrConflict if a live code or grant has
// the id.
func (cs codeStore) Put(ctx context.Context, c *store.Code, grant ...*store.Grant) error {
	if err := need("code", c.Host, c.ID); err != nil {
		return err
	}
	for _, g := range grant {
		if err := need("grant", g.Host, g.ID); err != nil {
			return err
		}
	}
	b, err := enc(c)
	if err != nil {
		return err
	}
	now := cs.s.now()
	return cs.s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM codes WHERE host = $1 AND id = $2 AND NOT `+live(3), c.Host, c.ID, now); err != nil {
			return wrap(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO codes (host, id, expires_at, used, data) VALUES ($1, $2, $3, $4, $5)`,
			c.Host, c.ID, expiry(c.ExpiresAt), !c.UsedAt.IsZero(), b); err != nil {
			return fmt.Errorf("code %s: %w", c.ID, wrap(err))
		}
		for _, g := range grant {
			v := *g
			if err := insertGrant(ctx, tx, &v, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// Get returns a live code, a used one with ErrAlreadyUsed: one query, no write.
func (cs codeStore) Get(ctx context.Context, host, id string) (*store.Code, error) {
	q, err := cs.s.db()
	if err != nil {
		return nil, err
	}
	c, err := one[store.Code](ctx, q, "code "+id,
		`SELECT data FROM codes WHERE host = $1 AND id = $2 AND `+live(3), host, id, cs.s.now())
	if err == nil && !c.UsedAt.IsZero() {
		return c, fmt.Errorf("code %s: %w", id, store.ErrAlreadyUsed)
	}
	return c, err
}

// Consume marks the code used and stores toks, in one transaction; a used code comes back with ErrAlreadyUsed.
func (cs codeStore) Consume(ctx context.Context, host, id string, toks ...*store.Token) (*store.Code, error) {
	now := cs.s.now()
	var out *store.Code
	err := cs.s.tx(ctx, func(tx pgx.Tx) error {
		c, err := one[store.Code](ctx, tx, "code "+id,
			`SELECT data FROM codes WHERE host = $1 AND id = $2 AND `+live(3)+` FOR UPDATE`, host, id, now)
		out = c
		if err != nil {
			return err
		}
		if !c.UsedAt.IsZero() {
			return fmt.Errorf("code %s: %w", id, store.ErrAlreadyUsed)
		}
		c.UsedAt = now
		b, err := enc(c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE codes SET used = true, data = $3 WHERE host = $1 AND id = $2`,
			host, id, b); err != nil {
			return wrap(err)
		}
		return putGrantTokens(ctx, tx, host, c.GrantID, toks, now)
	})
	return out, err
}
