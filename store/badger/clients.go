package badger

import (
	"context"
	"slices"
	"strings"

	"github.com/assentry/assentry/store"
)

// clientStore implements store.ClientStore. Grants issued to a client are found through the client → grant
// index that grantStore maintains.
type clientStore struct{ s *Store }

// Create adds a client; ErrConflict if the id exists.
func (cs clientStore) Create(ctx context.Context, c *store.Client) error {
	if err := need("client", c.Host, c.ID); err != nil {
		return err
	}
	return cs.s.update(ctx, func(t *txn) error {
		if ok, err := clientTable.live(t, c.Host, c.ID); err != nil || ok {
			return orConflict(err, clientTable.conflict(c.ID))
		}
		return clientTable.put(t, c, c.Host, c.ID)
	})
}

// Put creates or replaces a client.
func (cs clientStore) Put(ctx context.Context, c *store.Client) error {
	if err := need("client", c.Host, c.ID); err != nil {
		return err
	}
	return cs.s.update(ctx, func(t *txn) error { return clientTable.put(t, c, c.Host, c.ID) })
}

// Get returns a client.
func (cs clientStore) Get(ctx context.Context, host, id string) (*store.Client, error) {
	var c *store.Client
	err := cs.s.view(ctx, func(t *txn) (err error) {
		c, err = clientTable.get(t, host, id)
		return err
	})
	return c, err
}

// Update replaces an existing client; ErrNotFound if there is none.
func (cs clientStore) Update(ctx context.Context, c *store.Client) error {
	return cs.s.update(ctx, func(t *txn) error {
		if _, err := clientTable.get(t, c.Host, c.ID); err != nil {
			return err
		}
		return clientTable.put(t, c, c.Host, c.ID)
	})
}

// Delete removes a client and revokes every grant issued to it, in one write (see Store.bulk).
func (cs clientStore) Delete(ctx context.Context, host, id string) error {
	_, err := cs.s.bulk(ctx, func(t *txn) ([]step, func(*txn) error, error) {
		if _, err := clientTable.get(t, host, id); err != nil {
			return nil, nil, err
		}
		steps, err := revokeSteps(t, host, kindClientGrant, id)
		return steps, func(t *txn) error { return clientTable.del(t, host, id) }, err
	})
	return err
}

// List returns a host's clients ordered by id.
func (cs clientStore) List(ctx context.Context, host string) ([]*store.Client, error) {
	var out []*store.Client
	err := cs.s.view(ctx, func(t *txn) (err error) {
		out, err = clientTable.list(t, host)
		return err
	})
	// Key order is id order except for escaped characters; sort to be exact.
	slices.SortFunc(out, func(a, b *store.Client) int { return strings.Compare(a.ID, b.ID) })
	return out, err
}

// orConflict returns err when reading failed, else the conflict.
func orConflict(err, conflict error) error {
	if err != nil {
		return err
	}
	return conflict
}
