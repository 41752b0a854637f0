package badger

import (
	"context"
	"slices"

	"github.com/assentry/assentry/store"
)

// grantStore implements store.GrantStore. A grant is one record plus user → grant and client → grant index
// entries with the grant's TTL. Tokens are not indexed by grant: each token carries its grant id and
// Tokens.Get reads the grant in the same snapshot, so revoking a grant is a single record write.
type grantStore struct{ s *Store }

// Create adds a grant, with toks when given; ErrConflict if a live grant has the id.
func (gs grantStore) Create(ctx context.Context, g *store.Grant, toks ...*store.Token) error {
	if err := need("grant", g.Host, g.ID); err != nil {
		return err
	}
	if err := sameGrant(g.Host, g.ID, toks); err != nil {
		return err
	}
	return gs.s.update(ctx, func(t *txn) error {
		if ok, err := grantTable.live(t, g.Host, g.ID); err != nil || ok {
			return orConflict(err, grantTable.conflict(g.ID))
		}
		v := *g
		if len(toks) > 0 {
			v.UsedAt = t.now // issued at once: the grant's first use
		}
		if err := putGrant(t, &v); err != nil {
			return err
		}
		if len(toks) == 0 {
			return nil
		}
		return putTokens(t, &v, toks)
	})
}

// Get returns a grant, revoked or not; ErrNotFound when unknown or expired.
func (gs grantStore) Get(ctx context.Context, host, id string) (*store.Grant, error) {
	var g *store.Grant
	err := gs.s.view(ctx, func(t *txn) (err error) {
		g, err = grantTable.get(t, host, id)
		return err
	})
	return g, err
}

// Revoke marks a grant revoked, which makes every token of its chain inactive. Idempotent.
func (gs grantStore) Revoke(ctx context.Context, host, id string) error {
	return gs.s.update(ctx, func(t *txn) error {
		if _, err := grantTable.get(t, host, id); err != nil {
			return err
		}
		_, err := revokeGrant(t, host, id, nil)
		return err
	})
}

// RevokeByUser revokes every grant of a user in one write (see Store.bulk) and returns how many were live.
func (gs grantStore) RevokeByUser(ctx context.Context, host, userID string) (int, error) {
	return gs.s.bulk(ctx, func(t *txn) ([]step, func(*txn) error, error) {
		steps, err := revokeSteps(t, host, kindUserGrant, userID)
		return steps, nil, err
	})
}

// ListByUser returns the user's live, unrevoked grants, oldest first.
func (gs grantStore) ListByUser(ctx context.Context, host, userID string) ([]*store.Grant, error) {
	var out []*store.Grant
	err := gs.s.view(ctx, func(t *txn) error {
		ids, err := t.scanIDs(prefix(host, kindUserGrant, userID))
		if err != nil {
			return err
		}
		for _, id := range ids {
			g, err := grantTable.raw(t, host, id)
			if err != nil {
				return err
			}
			if g != nil && g.UserID == userID && !g.Revoked && !t.expired(g.ExpiresAt) {
				out = append(out, g)
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b *store.Grant) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, err
}

// putGrant writes a grant and its index entries, all with the grant's TTL (rewritten when Tokens extend it).
func putGrant(t *txn, g *store.Grant) error {
	if err := grantTable.put(t, g, g.Host, g.ID); err != nil {
		return err
	}
	if g.UserID != "" {
		if err := t.set(key(g.Host, kindUserGrant, g.UserID, g.ID), []byte(g.ID), g.ExpiresAt); err != nil {
			return err
		}
	}
	return t.set(key(g.Host, kindClientGrant, g.ClientID, g.ID), []byte(g.ID), g.ExpiresAt)
}

// revokeGrant marks a grant revoked (when owns, if any, accepts it) and reports whether it was live and
// unrevoked. Only the grant record is written: its index entries stay, pointing at a revoked grant until the
// TTL removes both.
func revokeGrant(t *txn, host, id string, owns func(*store.Grant) bool) (bool, error) {
	g, err := grantTable.raw(t, host, id)
	if err != nil || g == nil || g.Revoked || t.expired(g.ExpiresAt) || (owns != nil && !owns(g)) {
		return false, err
	}
	g.Revoked, g.RevokedAt = true, t.now
	if err := grantTable.put(t, g, host, id); err != nil {
		return false, err
	}
	return true, nil
}

// revokeSteps lists the steps that revoke every grant under an index (kindUserGrant or kindClientGrant).
func revokeSteps(t *txn, host, index, owner string) ([]step, error) {
	ids, err := t.scanIDs(prefix(host, index, owner))
	if err != nil {
		return nil, err
	}
	// An entry left by an expired grant whose id was reused must not revoke the new grant of someone else.
	owns := func(g *store.Grant) bool { return g.UserID == owner }
	if index == kindClientGrant {
		owns = func(g *store.Grant) bool { return g.ClientID == owner }
	}
	steps := make([]step, len(ids))
	for i, id := range ids {
		steps[i] = func(t *txn) (bool, error) { return revokeGrant(t, host, id, owns) }
	}
	return steps, nil
}
