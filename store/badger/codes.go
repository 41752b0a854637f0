package badger

import (
	"context"
	"fmt"

	"github.com/assentry/assentry/store"
)

// codeStore implements store.CodeStore.
type codeStore struct{ s *Store }

// Put stores a code, and its new grant when given; ErrConflict if a live code or grant has the id.
func (cs codeStore) Put(ctx context.Context, c *store.Code, grant ...*store.Grant) error {
	if err := need("code", c.Host, c.ID); err != nil {
		return err
	}
	for _, g := range grant {
		if err := need("grant", g.Host, g.ID); err != nil {
			return err
		}
	}
	return cs.s.update(ctx, func(t *txn) error {
		if ok, err := codeTable.live(t, c.Host, c.ID); err != nil || ok {
			return orConflict(err, codeTable.conflict(c.ID))
		}
		for _, g := range grant {
			if ok, err := grantTable.live(t, g.Host, g.ID); err != nil || ok {
				return orConflict(err, grantTable.conflict(g.ID))
			}
			v := *g
			if err := putGrant(t, &v); err != nil {
				return err
			}
		}
		return codeTable.put(t, c, c.Host, c.ID)
	})
}

// Get returns a live code without writing; a used one comes back with ErrAlreadyUsed.
func (cs codeStore) Get(ctx context.Context, host, id string) (*store.Code, error) {
	var out *store.Code
	err := cs.s.view(ctx, func(t *txn) error {
		c, err := codeTable.get(t, host, id)
		out = c
		if err == nil && !c.UsedAt.IsZero() {
			return fmt.Errorf("code %s: %w", id, store.ErrAlreadyUsed)
		}
		return err
	})
	return out, err
}

// Consume marks a code used, stores toks, and returns the code; a used code comes back with ErrAlreadyUsed.
// The read and the writes are one transaction: of racing consumers the first commit wins and the others,
// retried on Badger's conflict, see the code used.
func (cs codeStore) Consume(ctx context.Context, host, id string, toks ...*store.Token) (*store.Code, error) {
	var out *store.Code
	err := cs.s.update(ctx, func(t *txn) error {
		c, err := codeTable.get(t, host, id)
		out = c
		if err != nil {
			return err
		}
		if !c.UsedAt.IsZero() {
			return fmt.Errorf("code %s: %w", id, store.ErrAlreadyUsed)
		}
		c.UsedAt = t.now
		if err := codeTable.put(t, c, host, id); err != nil {
			return err
		}
		return putGrantTokens(t, host, c.GrantID, toks)
	})
	return out, err
}
