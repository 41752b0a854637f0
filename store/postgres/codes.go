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

// Put stores a code, and its new grant when given, in one transaction of one round trip; ErrConflict if a live
// code or grant has the id.
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
	return cs.s.write(ctx, func(t *txn) error {
		var w pgx.Batch
		w.Queue(`DELETE FROM codes WHERE host = $1 AND id = $2 AND NOT `+live(3), c.Host, c.ID, now)
		exec(&w, "code "+c.ID, `INSERT INTO codes (host, id, expires_at, used, data) VALUES ($1, $2, $3, $4, $5)`,
			c.Host, c.ID, expiry(c.ExpiresAt), !c.UsedAt.IsZero(), b)
		for _, g := range grant {
			if err := queueGrant(&w, g, now); err != nil {
				return err
			}
		}
		return t.send(ctx, &w, true)
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

// Consume marks the code used and stores toks, in one transaction of two round trips: the first locks the
// code's row and, with toks, its grant's; the second writes and commits. A used code comes back with
// ErrAlreadyUsed.
func (cs codeStore) Consume(ctx context.Context, host, id string, toks ...*store.Token) (*store.Code, error) {
	now := cs.s.now()
	var out *store.Code
	err := cs.s.write(ctx, func(t *txn) error {
		var cb, gb []byte
		var b pgx.Batch
		b.Queue(`SELECT data FROM codes WHERE host = $1 AND id = $2 AND `+live(3)+` FOR UPDATE`, host, id, now).
			QueryRow(row(&cb))
		if len(toks) > 0 {
			b.Queue(grantLockOf("codes", "data->>'grant_id'"), host, id, now).QueryRow(row(&gb))
		}
		if err := t.send(ctx, &b, false); err != nil {
			return err
		}
		out = nil
		if cb == nil {
			return fmt.Errorf("code %s: %w", id, store.ErrNotFound)
		}
		c, err := dec[store.Code](cb)
		if err != nil {
			return err
		}
		out = c
		if !c.UsedAt.IsZero() {
			return fmt.Errorf("code %s: %w", id, store.ErrAlreadyUsed)
		}
		used := *c
		used.UsedAt = now
		ub, err := enc(&used)
		if err != nil {
			return err
		}
		var w pgx.Batch
		w.Queue(`UPDATE codes SET used = true, data = $3 WHERE host = $1 AND id = $2`, host, id, ub)
		if err := commitWithTokens(ctx, t, &w, host, c.GrantID, gb, toks, now); err != nil {
			return err
		}
		out = &used
		return nil
	})
	return out, err
}
