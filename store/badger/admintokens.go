package badger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/assentry/assentry/store"
)

// adminTokenStore implements store.AdminTokenStore: one record per token under s/admin-token/<id>, and a name
// index under s/admin-token-name/<name> for Create's uniqueness check and Revoke. Both carry the token's expiry
// as their Badger TTL; expiry itself is decided on every read, as for host records.
type adminTokenStore struct{ s *Store }

// getAdminToken reads a live token by id: ErrNotFound (wrapped) when absent or expired at t.now.
func getAdminToken(t *txn, id string) (*store.AdminToken, error) {
	b, err := t.get(serverKey(kindAdminToken, id))
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, fmt.Errorf("admin token: %w", store.ErrNotFound)
	}
	v := new(store.AdminToken)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("badger: decode admin token: %w", err)
	}
	if t.expired(v.ExpiresAt) {
		return nil, fmt.Errorf("admin token: %w", store.ErrNotFound)
	}
	return v, nil
}

// putAdminToken writes the record (the name index is written by Create only: a name never changes).
func putAdminToken(t *txn, v *store.AdminToken) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("badger: encode admin token: %w", err)
	}
	return t.set(serverKey(kindAdminToken, v.ID), b, v.ExpiresAt)
}

// byName returns the live token holding name: ErrNotFound (wrapped) when there is none.
func byName(t *txn, name string) (*store.AdminToken, error) {
	id, err := t.get(serverKey(kindAdminTokenName, name))
	if err != nil {
		return nil, err
	}
	if id == nil {
		return nil, fmt.Errorf("admin token %q: %w", name, store.ErrNotFound)
	}
	v, err := getAdminToken(t, string(id))
	if err != nil {
		return nil, err
	}
	if v.Name != name { // a stale index entry: the name's token was revoked and its id reused (never, in practice)
		return nil, fmt.Errorf("admin token %q: %w", name, store.ErrNotFound)
	}
	return v, nil
}

// Create adds a token and its name index in one write.
func (as adminTokenStore) Create(ctx context.Context, v *store.AdminToken) error {
	if v.ID == "" || v.Name == "" {
		return errors.New("badger: admin token needs an id and a name")
	}
	return as.s.update(ctx, func(t *txn) error {
		if _, err := byName(t, v.Name); !errors.Is(err, store.ErrNotFound) {
			return orConflict(err, fmt.Errorf("admin token %q exists: %w", v.Name, store.ErrConflict))
		}
		if _, err := getAdminToken(t, v.ID); !errors.Is(err, store.ErrNotFound) {
			return orConflict(err, fmt.Errorf("admin token id exists: %w", store.ErrConflict))
		}
		if err := t.set(serverKey(kindAdminTokenName, v.Name), []byte(v.ID), v.ExpiresAt); err != nil {
			return err
		}
		return putAdminToken(t, v)
	})
}

// Get returns a live token by id.
func (as adminTokenStore) Get(ctx context.Context, id string) (*store.AdminToken, error) {
	var v *store.AdminToken
	err := as.s.view(ctx, func(t *txn) (err error) {
		v, err = getAdminToken(t, id)
		return err
	})
	return v, err
}

// List returns the live tokens ordered by name.
func (as adminTokenStore) List(ctx context.Context) ([]*store.AdminToken, error) {
	var out []*store.AdminToken
	err := as.s.view(ctx, func(t *txn) error {
		vals, err := t.scan(append(serverKey(kindAdminToken), '/'))
		if err != nil {
			return err
		}
		for _, b := range vals {
			v := new(store.AdminToken)
			if err := json.Unmarshal(b, v); err != nil {
				return fmt.Errorf("badger: decode admin token: %w", err)
			}
			if !t.expired(v.ExpiresAt) {
				out = append(out, v)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b *store.AdminToken) int { return strings.Compare(a.Name, b.Name) })
	return out, err
}

// Revoke deletes the named token and its index entry in one write.
func (as adminTokenStore) Revoke(ctx context.Context, name string) error {
	return as.s.update(ctx, func(t *txn) error {
		v, err := byName(t, name)
		if err != nil {
			return err
		}
		if err := t.del(serverKey(kindAdminTokenName, name)); err != nil {
			return err
		}
		return t.del(serverKey(kindAdminToken, v.ID))
	})
}

// Touch moves LastUsedAt forward to at.
func (as adminTokenStore) Touch(ctx context.Context, id string, at time.Time) error {
	return as.s.update(ctx, func(t *txn) error {
		v, err := getAdminToken(t, id)
		if err != nil || !at.After(v.LastUsedAt) {
			return err
		}
		v.LastUsedAt = at
		return putAdminToken(t, v)
	})
}
