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

// Put stores tokens of one grant and extends the grant's expiry, in one transaction.
func (ts tokenStore) Put(ctx context.Context, toks ...*store.Token) error {
	if len(toks) == 0 {
		return nil
	}
	now := ts.s.now()
	return ts.s.tx(ctx, func(tx pgx.Tx) error { return putGrantTokens(ctx, tx, toks[0].Host, toks[0].GrantID, toks, now) })
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

// Rotate marks the refresh token used and stores next in one transaction. The token's row is locked
// (FOR UPDATE), so of racing rotations on any instances one wins and the others then see the token used.
func (ts tokenStore) Rotate(ctx context.Context, host, id string, next ...*store.Token) (*store.Token, error) {
	if err := sameGrant(host, "", next); err != nil {
		return nil, err
	}
	now := ts.s.now()
	var old *store.Token
	err := ts.s.tx(ctx, func(tx pgx.Tx) error {
		k, _, err := usableToken(ctx, tx, tokenRead+` FOR UPDATE OF t`, host, id, now)
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
		if err := putToken(ctx, tx, &used); err != nil {
			return err
		}
		old = &used
		return putGrantTokens(ctx, tx, host, k.GrantID, next, now)
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

// usableToken runs sql (tokenRead, perhaps locking) and judges the token: ErrNotFound when absent or expired;
// the token with ErrRevoked when it or its grant is revoked (a grant that is gone counts as revoked); the token
// with ErrAlreadyUsed when it is a rotated refresh token.
func usableToken(ctx context.Context, q querier, sql, host, id string, now time.Time) (*store.Token, *store.Grant, error) {
	var tb, gb []byte
	if err := q.QueryRow(ctx, sql, host, id, now).Scan(&tb, &gb); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, nil, fmt.Errorf("token %s: %w", id, store.ErrNotFound)
		}
		return nil, nil, wrap(err)
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

// putGrantTokens stores toks (none is fine) as tokens of the live, unrevoked grant grantID, whose row it locks
// so that a concurrent revocation either precedes (ErrRevoked) or follows the write: ErrNotFound when the grant
// is unknown or expired. Callers run it inside their own transaction, so a refused grant writes nothing.
func putGrantTokens(ctx context.Context, tx pgx.Tx, host, grantID string, toks []*store.Token, now time.Time) error {
	if len(toks) == 0 {
		return nil
	}
	if err := sameGrant(host, grantID, toks); err != nil {
		return err
	}
	g, err := one[store.Grant](ctx, tx, "grant "+grantID,
		`SELECT data FROM grants WHERE host = $1 AND id = $2 AND `+live(3)+` FOR UPDATE`, host, grantID, now)
	if err != nil {
		return err
	}
	if g.Revoked {
		return fmt.Errorf("grant %s: %w", grantID, store.ErrRevoked)
	}
	return putTokens(ctx, tx, g, toks)
}

// putTokens writes tokens of grant g and, when one outlives g, extends g's expiry to the latest of theirs
// rounded up to a day (a token that never expires makes the grant never expire), as the Badger backend does:
// a chain refreshed all day rewrites its grant row once a day.
func putTokens(ctx context.Context, tx pgx.Tx, g *store.Grant, toks []*store.Token) error {
	exp, extended := g.ExpiresAt, false
	for _, k := range toks {
		if err := putToken(ctx, tx, k); err != nil {
			return err
		}
		switch {
		case exp.IsZero():
		case k.ExpiresAt.IsZero():
			exp, extended = k.ExpiresAt, true
		case k.ExpiresAt.After(exp):
			exp, extended = k.ExpiresAt, true
		}
	}
	if !extended {
		return nil
	}
	g.ExpiresAt = store.GrantExpiry(exp)
	b, err := enc(g)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE grants SET expires_at = $3, data = $4 WHERE host = $1 AND id = $2`,
		g.Host, g.ID, expiry(g.ExpiresAt), b)
	return wrap(err)
}

// putToken creates or replaces one token row.
func putToken(ctx context.Context, q querier, k *store.Token) error {
	b, err := enc(k)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO tokens (host, id, grant_id, expires_at, data) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (host, id) DO UPDATE SET grant_id = excluded.grant_id, expires_at = excluded.expires_at,
			data = excluded.data`, k.Host, k.ID, k.GrantID, expiry(k.ExpiresAt), b)
	return wrap(err)
}

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
