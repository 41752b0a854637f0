package badger

import (
	"context"
	"slices"
	"strings"

	"github.com/assentry/assentry/store"
)

// keyStore implements store.KeyStore. A host has a handful of keys, so List scans them all and filters by use.
type keyStore struct{ s *Store }

// Create adds a key; ErrConflict if a live key has the kid.
func (ks keyStore) Create(ctx context.Context, k *store.Key) error {
	if err := need("key", k.Host, k.ID); err != nil {
		return err
	}
	return ks.s.update(ctx, func(t *txn) error {
		if ok, err := keyTable.live(t, k.Host, k.ID); err != nil || ok {
			return orConflict(err, keyTable.conflict(k.ID))
		}
		return keyTable.put(t, k, k.Host, k.ID)
	})
}

// Put creates or replaces a key (rotation updates RetireAt and ExpiresAt).
func (ks keyStore) Put(ctx context.Context, k *store.Key) error {
	if err := need("key", k.Host, k.ID); err != nil {
		return err
	}
	return ks.s.update(ctx, func(t *txn) error { return keyTable.put(t, k, k.Host, k.ID) })
}

// Get returns a live key.
func (ks keyStore) Get(ctx context.Context, host, kid string) (*store.Key, error) {
	var k *store.Key
	err := ks.s.view(ctx, func(t *txn) (err error) {
		k, err = keyTable.get(t, host, kid)
		return err
	})
	return k, err
}

// List returns the host's unexpired keys of one use, oldest first (by CreatedAt, then kid).
func (ks keyStore) List(ctx context.Context, host, use string) ([]*store.Key, error) {
	var out []*store.Key
	err := ks.s.view(ctx, func(t *txn) error {
		all, err := keyTable.list(t, host)
		out = slices.DeleteFunc(all, func(k *store.Key) bool { return k.Use != use })
		return err
	})
	slices.SortFunc(out, func(a, b *store.Key) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// Delete removes a key; ErrNotFound when there is no live one.
func (ks keyStore) Delete(ctx context.Context, host, kid string) error {
	return ks.s.update(ctx, func(t *txn) error {
		if _, err := keyTable.get(t, host, kid); err != nil {
			return err
		}
		return keyTable.del(t, host, kid)
	})
}
