package badger

import (
	"context"
	"errors"
	"fmt"

	"github.com/assentry/assentry/store"
)

// tokenStore implements store.TokenStore. A token is usable only while its grant is live and unrevoked: Get
// and Rotate read the grant in the same transaction, which is what makes Grants.Revoke kill the whole chain.
type tokenStore struct{ s *Store }

// Put stores tokens of one grant and extends the grant's expiry to cover them, in one write.
func (ts tokenStore) Put(ctx context.Context, toks ...*store.Token) error {
	if len(toks) == 0 {
		return nil
	}
	return ts.s.update(ctx, func(t *txn) error { return putGrantTokens(t, toks[0].Host, toks[0].GrantID, toks) })
}

// putGrantTokens stores toks (none is fine) as tokens of the live, unrevoked grant grantID: ErrNotFound when the
// grant is unknown or expired, ErrRevoked when it is revoked, and an error when a token is of another host or
// grant. Callers run it inside the transaction of their own write, so a refused grant writes nothing.
func putGrantTokens(t *txn, host, grantID string, toks []*store.Token) error {
	if len(toks) == 0 {
		return nil
	}
	if err := sameGrant(host, grantID, toks); err != nil {
		return err
	}
	g, err := grantTable.get(t, host, grantID)
	if err != nil {
		return err
	}
	if g.Revoked {
		return fmt.Errorf("grant %s: %w", grantID, store.ErrRevoked)
	}
	return putTokens(t, g, toks)
}

// Get returns a usable token; ErrRevoked or ErrAlreadyUsed come with the token.
func (ts tokenStore) Get(ctx context.Context, host, id string) (*store.Token, error) {
	var k *store.Token
	err := ts.s.view(ctx, func(t *txn) (err error) {
		k, _, err = usableToken(t, host, id)
		return err
	})
	return k, err
}

// Rotate marks the refresh token id used and stores next in one write. A used token comes back with
// ErrAlreadyUsed and nothing is stored; of racing rotations the first commit wins and the others, retried on
// Badger's conflict, see the token used.
func (ts tokenStore) Rotate(ctx context.Context, host, id string, next ...*store.Token) (*store.Token, error) {
	if err := sameGrant(host, "", next); err != nil {
		return nil, err
	}
	var old *store.Token
	err := ts.s.update(ctx, func(t *txn) error {
		k, g, err := usableToken(t, host, id)
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
		used.UsedAt = t.now
		if err := tokenTable.put(t, &used, host, id); err != nil {
			return err
		}
		old = &used
		return putTokens(t, g, next)
	})
	return old, err
}

// Revoke marks one token revoked. Idempotent; ErrNotFound when unknown or expired.
func (ts tokenStore) Revoke(ctx context.Context, host, id string) error {
	return ts.s.update(ctx, func(t *txn) error {
		k, err := tokenTable.get(t, host, id)
		if err != nil || k.Revoked {
			return err
		}
		k.Revoked = true
		return tokenTable.put(t, k, host, id)
	})
}

// usableToken reads a token and its grant: ErrNotFound when the token is absent or expired; the token with
// ErrRevoked when it, or its grant, is revoked (a grant that is gone counts as revoked); the token with
// ErrAlreadyUsed when it is a rotated refresh token.
func usableToken(t *txn, host, id string) (*store.Token, *store.Grant, error) {
	k, err := tokenTable.get(t, host, id)
	if err != nil {
		return nil, nil, err
	}
	if k.Revoked {
		return k, nil, fmt.Errorf("token %s: %w", id, store.ErrRevoked)
	}
	g, err := grantTable.get(t, host, k.GrantID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && g.Revoked) {
		return k, nil, fmt.Errorf("grant %s of token %s: %w", k.GrantID, id, store.ErrRevoked)
	}
	if err != nil {
		return nil, nil, err
	}
	if k.Kind == store.RefreshToken && !k.UsedAt.IsZero() {
		return k, g, fmt.Errorf("token %s: %w", id, store.ErrAlreadyUsed)
	}
	return k, g, nil
}

// putTokens writes tokens of grant g and, when one outlives g, extends g's expiry to the latest of theirs
// rounded up by store.GrantExpiry (a token that never expires makes the grant never expire), rewriting the grant and its
// index entries with the new TTL. That rewrite records the issuance in g.UsedAt: the grant's last use, to within
// the day of rounding, at no write of its own.
func putTokens(t *txn, g *store.Grant, toks []*store.Token) error {
	exp, extended := g.ExpiresAt, false
	for _, k := range toks {
		if err := tokenTable.put(t, k, k.Host, k.ID); err != nil {
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
	g.ExpiresAt, g.UsedAt = store.GrantExpiry(exp), t.now
	return putGrant(t, g)
}

// sameGrant checks that every token has an id, the host and, when grantID is set, the grant.
func sameGrant(host, grantID string, toks []*store.Token) error {
	for _, k := range toks {
		if err := need("token", k.Host, k.ID); err != nil {
			return err
		}
		if k.Host != host || (grantID != "" && k.GrantID != grantID) {
			return fmt.Errorf("badger: token %s is not of host %q, grant %q", k.ID, host, grantID)
		}
	}
	return nil
}
