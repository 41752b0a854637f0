package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

// tokenStore implements store.TokenStore. A token is usable only while its grant is live and unrevoked: every
// read joins the grant in the same statement, which is what makes Grants.Revoke end the whole chain at once.
type tokenStore struct{ s *Store }

// tokenRead is a token joined with its live grant (nil data when the grant is gone or expired).
const tokenRead = `SELECT t.data, g.data FROM tokens t
	LEFT JOIN grants g ON g.host = t.host AND g.id = t.grant_id AND (g.expires_at IS NULL OR g.expires_at > $3)
	WHERE t.host = $1 AND t.id = $2 AND (t.expires_at IS NULL OR t.expires_at > $3)`

// Put stores tokens of one grant and extends the grant's expiry, in one transaction of two round trips: the
// grant's row is locked and read, then the tokens are written and committed.
func (ts tokenStore) Put(ctx context.Context, toks ...*store.Token) error {
	if len(toks) == 0 {
		return nil
	}
	host, grantID := toks[0].Host, toks[0].GrantID
	if err := sameGrant(host, grantID, toks); err != nil {
		return err
	}
	now := ts.s.now()
	return ts.s.write(ctx, func(t *txn) error {
		var gb []byte
		var b pgx.Batch
		b.Queue(grantLock, host, grantID, now).QueryRow(row(&gb))
		if err := t.send(ctx, &b, false); err != nil {
			return err
		}
		g, err := tokenGrant(host, grantID, gb, toks)
		if err != nil {
			return err
		}
		var w pgx.Batch
		if err := queueTokens(&w, g, toks, now); err != nil {
			return err
		}
		return t.send(ctx, &w, true)
	})
}

// Get returns a usable token: one query (the token joined with its grant).
func (ts tokenStore) Get(ctx context.Context, host, id string) (*store.Token, error) {
	q, err := ts.s.db()
	if err != nil {
		return nil, err
	}
	k, _, err := usableToken(ctx, q, tokenRead, host, id, ts.s.now())
	return k, err
}

// Rotate marks the refresh token used and stores next in one transaction of two round trips: the first locks
// the token's row (FOR UPDATE), read with its grant, and the grant's row; the second writes and commits. Of
// racing rotations on any instances one wins and the others then see the token used.
func (ts tokenStore) Rotate(ctx context.Context, host, id string, next ...*store.Token) (*store.Token, error) {
	if err := sameGrant(host, "", next); err != nil {
		return nil, err
	}
	now := ts.s.now()
	var old *store.Token
	err := ts.s.write(ctx, func(t *txn) error {
		var tb, gb, lb []byte
		var b pgx.Batch
		b.Queue(tokenRead+` FOR UPDATE OF t`, host, id, now).QueryRow(row(&tb, &gb))
		if len(next) > 0 {
			b.Queue(grantLockOf("tokens", "grant_id"), host, id, now).QueryRow(row(&lb))
		}
		if err := t.send(ctx, &b, false); err != nil {
			return err
		}
		k, _, err := judgeToken(id, tb, gb)
		old = k
		if err != nil {
			return err
		}
		if k.Kind != store.RefreshToken {
			old = nil
			return fmt.Errorf("token %s is not a refresh token: %w", id, store.ErrNotFound)
		}
		if err := sameGrant(host, k.GrantID, next); err != nil {
			return err
		}
		used := *k
		used.UsedAt = now
		var w pgx.Batch
		if err := queueToken(&w, &used); err != nil {
			return err
		}
		if err := commitWithTokens(ctx, t, &w, host, k.GrantID, lb, next, now); err != nil {
			return err
		}
		old = &used
		return nil
	})
	return old, err
}

// Revoke marks one live token revoked: one statement. Idempotent; ErrNotFound when unknown or expired.
func (ts tokenStore) Revoke(ctx context.Context, host, id string) error {
	q, err := ts.s.db()
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `UPDATE tokens SET data = jsonb_set(data, '{revoked}', 'true')
		WHERE host = $1 AND id = $2 AND `+live(3), host, id, ts.s.now())
	if err != nil {
		return wrap(err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("token %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// usableToken runs sql (tokenRead) and judges the token as judgeToken does.
func usableToken(ctx context.Context, q querier, sql, host, id string, now time.Time) (*store.Token, *store.Grant, error) {
	var tb, gb []byte
	if err := q.QueryRow(ctx, sql, host, id, now).Scan(&tb, &gb); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, wrap(err)
	}
	return judgeToken(id, tb, gb)
}

// judgeToken judges a token row read with its live grant's (nil when absent): ErrNotFound when the token is
// absent or expired; the token with ErrRevoked when it or its grant is revoked (a grant that is gone counts as
// revoked); the token with ErrAlreadyUsed when it is a rotated refresh token.
func judgeToken(id string, tb, gb []byte) (*store.Token, *store.Grant, error) {
	if tb == nil {
		return nil, nil, fmt.Errorf("token %s: %w", id, store.ErrNotFound)
	}
	k, err := dec[store.Token](tb)
	if err != nil {
		return nil, nil, err
	}
	if k.Revoked {
		return k, nil, fmt.Errorf("token %s: %w", id, store.ErrRevoked)
	}
	if gb == nil {
		return k, nil, fmt.Errorf("grant %s of token %s: %w", k.GrantID, id, store.ErrRevoked)
	}
	g, err := dec[store.Grant](gb)
	if err != nil {
		return nil, nil, err
	}
	if g.Revoked {
		return k, nil, fmt.Errorf("grant %s of token %s: %w", k.GrantID, id, store.ErrRevoked)
	}
	if k.Kind == store.RefreshToken && !k.UsedAt.IsZero() {
		return k, g, fmt.Errorf("token %s: %w", id, store.ErrAlreadyUsed)
	}
	return k, g, nil
}

// grantLock reads a live grant ($1 host, $2 id, $3 the clock) and locks its row until the transaction ends: the
// lock that orders token writes against a concurrent revocation, which either precedes them (ErrRevoked) or
// follows them.
const grantLock = `SELECT data FROM grants WHERE host = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > $3) FOR UPDATE`

// grantLockOf is grantLock for the grant a row of table names in its column col ($2 is the row's id): the grant
// is locked in the same round trip as the row, after it (the row is locked first, as everywhere: no two
// transactions take these locks in opposite orders).
func grantLockOf(table, col string) string {
	return `SELECT data FROM grants WHERE host = $1 AND (expires_at IS NULL OR expires_at > $3)
		AND id = (SELECT ` + col + ` FROM ` + table + ` WHERE host = $1 AND id = $2) FOR UPDATE`
}

// tokenGrant decodes the grant read under grantLock for toks (gb nil when it is absent): ErrNotFound when the
// grant is unknown or expired, ErrRevoked when it is revoked.
func tokenGrant(host, grantID string, gb []byte, toks []*store.Token) (*store.Grant, error) {
	if err := sameGrant(host, grantID, toks); err != nil {
		return nil, err
	}
	if gb == nil {
		return nil, fmt.Errorf("grant %s: %w", grantID, store.ErrNotFound)
	}
	g, err := dec[store.Grant](gb)
	if err != nil {
		return nil, err
	}
	if g.Revoked {
		return nil, fmt.Errorf("grant %s: %w", grantID, store.ErrRevoked)
	}
	return g, nil
}

// commitWithTokens is the second round trip of a redemption or rotation: after the writes already in w (the
// one-time artifact marked used), it queues toks, of grant grantID whose locked row was read into gb (nil: gone),
// with the grant's expiry extended as they need (queueTokens), and sends w with the COMMIT. A grant that is
// gone or revoked fails it, and nothing is written. now is the store's clock, the issuance time.
func commitWithTokens(ctx context.Context, t *txn, w *pgx.Batch, host, grantID string, gb []byte, toks []*store.Token,
	now time.Time) error {
	if len(toks) > 0 {
		g, err := tokenGrant(host, grantID, gb, toks)
		if err != nil {
			return err
		}
		if err := queueTokens(w, g, toks, now); err != nil {
			return err
		}
	}
	return t.send(ctx, w, true)
}

// queueTokens queues the writes of tokens of grant g and, when one outlives g, of g's expiry extended to the
// latest of theirs rounded up to a day (store.GrantExpiry; a token that never expires makes the grant never
// expire), as the Badger backend does: a chain refreshed all day rewrites its grant row once a day. That rewrite
// records the issuance, at now, in g.UsedAt: the grant's last use to within a day, at no write of its own.
func queueTokens(b *pgx.Batch, g *store.Grant, toks []*store.Token, now time.Time) error {
	for _, k := range toks {
		if err := queueToken(b, k); err != nil {
			return err
		}
	}
	exp := extendFor(g, toks)
	if exp.Equal(g.ExpiresAt) {
		return nil
	}
	g.ExpiresAt, g.UsedAt = exp, now
	gb, err := enc(g)
	if err != nil {
		return err
	}
	b.Queue(`UPDATE grants SET expires_at = $3, data = $4 WHERE host = $1 AND id = $2`,
		g.Host, g.ID, expiry(g.ExpiresAt), gb)
	return nil
}

// extendFor returns g's expiry as tokens toks extend it (queueTokens's rule), for a grant written with them.
func extendFor(g *store.Grant, toks []*store.Token) time.Time {
	exp, extended := g.ExpiresAt, false
	for _, k := range toks {
		switch {
		case exp.IsZero():
		case k.ExpiresAt.IsZero():
			exp, extended = k.ExpiresAt, true
		case k.ExpiresAt.After(exp):
			exp, extended = k.ExpiresAt, true
		}
	}
	if !extended {
		return g.ExpiresAt
	}
	return store.GrantExpiry(exp)
}

// queueToken queues the creation or replacement of one token row.
func queueToken(b *pgx.Batch, k *store.Token) error {
	kb, err := enc(k)
	if err != nil {
		return err
	}
	b.Queue(tokenUpsert, k.Host, k.ID, k.GrantID, expiry(k.ExpiresAt), kb)
	return nil
}

// tokenUpsert creates or replaces one token row.
const tokenUpsert = `INSERT INTO tokens (host, id, grant_id, expires_at, data) VALUES ($1, $2, $3, $4, $5)
	ON CONFLICT (host, id) DO UPDATE SET grant_id = excluded.grant_id, expires_at = excluded.expires_at,
		data = excluded.data`

// sameGrant checks that every token has an id, the host and, when grantID is set, the grant.
func sameGrant(host, grantID string, toks []*store.Token) error {
	for _, k := range toks {
		if err := need("token", k.Host, k.ID); err != nil {
			return err
		}
		if k.Host != host || (grantID != "" && k.GrantID != grantID) {
			return fmt.Errorf("postgres: token %s is not of host %q, grant %q", k.ID, host, grantID)
		}
	}
	return nil
}
