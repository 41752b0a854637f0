package badger

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/assentry/assentry/store"
)

// userStore implements store.UserStore. A user is one record plus a username index entry while it is live;
// a deleted user stays as a tombstone record forever, so its id is never reused.
type userStore struct{ s *Store }

// Create adds a user; ErrConflict if the id exists (even as a tombstone) or the username is taken.
func (us userStore) Create(ctx context.Context, u *store.User) error {
	if err := need("user", u.Host, u.ID); err != nil {
		return err
	}
	return us.s.update(ctx, func(t *txn) error {
		old, err := userTable.raw(t, u.Host, u.ID)
		if err != nil {
			return err
		}
		if old != nil {
			return userTable.conflict(u.ID)
		}
		if err := claimUsername(t, u.Host, u.Username, u.ID); err != nil {
			return err
		}
		v := *u
		v.Deleted = false
		return userTable.put(t, &v, u.Host, u.ID)
	})
}

// Get returns a live user; tombstones are ErrNotFound.
func (us userStore) Get(ctx context.Context, host, id string) (*store.User, error) {
	var u *store.User
	err := us.s.view(ctx, func(t *txn) (err error) {
		u, err = liveUser(t, host, id)
		return err
	})
	return u, err
}

// GetByUsername returns the live user holding a (normalised) username.
func (us userStore) GetByUsername(ctx context.Context, host, username string) (*store.User, error) {
	var u *store.User
	err := us.s.view(ctx, func(t *txn) error {
		id, err := usernameOwner(t, host, username)
		if err != nil {
			return err
		}
		if id == "" {
			return fmt.Errorf("username %q: %w", username, store.ErrNotFound)
		}
		u, err = liveUser(t, host, id)
		return err
	})
	return u, err
}

// Update replaces a live user, moves its username index entry when the name changed, and ends what opts says,
// in one write (see Store.bulk for the very-many-grants case).
func (us userStore) Update(ctx context.Context, u *store.User, opts store.UserUpdate) error {
	_, err := us.s.bulk(ctx, func(t *txn) ([]step, func(*txn) error, error) {
		old, err := liveUser(t, u.Host, u.ID)
		if err != nil {
			return nil, nil, err
		}
		if old.Username != u.Username {
			if err := claimUsername(t, u.Host, u.Username, u.ID); err != nil {
				return nil, nil, err
			}
		}
		var steps []step
		if opts.EndSessions {
			if steps, err = endSessionSteps(t, u.Host, u.ID); err != nil {
				return nil, nil, err
			}
		}
		if opts.RevokeGrants {
			more, err := revokeSteps(t, u.Host, kindUserGrant, u.ID)
			if err != nil {
				return nil, nil, err
			}
			steps = append(steps, more...)
		}
		final := func(t *txn) error {
			if old.Username != u.Username {
				if err := t.del(key(u.Host, kindUsername, old.Username)); err != nil {
					return err
				}
			}
			v := *u
			v.Deleted = false // Delete, not Update, makes tombstones
			return userTable.put(t, &v, u.Host, u.ID)
		}
		return steps, final, nil
	})
	return err
}

// Delete turns the user into a tombstone, frees the username, ends every session, revokes every grant and
// forgets every consent of the user, in one write (see Store.bulk for the very-many-grants case).
func (us userStore) Delete(ctx context.Context, host, id string) error {
	_, err := us.s.bulk(ctx, func(t *txn) ([]step, func(*txn) error, error) {
		old, err := liveUser(t, host, id)
		if err != nil {
			return nil, nil, err
		}
		steps, err := endSessionSteps(t, host, id)
		if err != nil {
			return nil, nil, err
		}
		revokes, err := revokeSteps(t, host, kindUserGrant, id)
		if err != nil {
			return nil, nil, err
		}
		forgets, err := forgetConsentSteps(t, host, id)
		if err != nil {
			return nil, nil, err
		}
		steps = append(append(steps, revokes...), forgets...)
		final := func(t *txn) error {
			if err := t.del(key(host, kindUsername, old.Username)); err != nil {
				return err
			}
			// The tombstone keeps only what makes the id unusable: credentials and profile are gone.
			tomb := &store.User{ID: old.ID, Host: old.Host, Deleted: true, CreatedAt: old.CreatedAt, UpdatedAt: t.now}
			return userTable.put(t, tomb, host, id)
		}
		return steps, final, nil
	})
	return err
}

// List returns the live users of a host ordered by username.
func (us userStore) List(ctx context.Context, host string) ([]*store.User, error) {
	var out []*store.User
	err := us.s.view(ctx, func(t *txn) error {
		all, err := userTable.list(t, host)
		out = slices.DeleteFunc(all, func(u *store.User) bool { return u.Deleted })
		return err
	})
	slices.SortFunc(out, func(a, b *store.User) int { return strings.Compare(a.Username, b.Username) })
	return out, err
}

// liveUser reads a user that exists and is not a tombstone.
func liveUser(t *txn, host, id string) (*store.User, error) {
	u, err := userTable.get(t, host, id)
	if err != nil {
		return nil, err
	}
	if u.Deleted {
		return nil, userTable.notFound(id)
	}
	return u, nil
}

// usernameOwner returns the id of the live user holding username, or "".
func usernameOwner(t *txn, host, username string) (string, error) {
	b, err := t.get(key(host, kindUsername, username))
	if err != nil || b == nil {
		return "", err
	}
	u, err := userTable.raw(t, host, string(b))
	if err != nil || u == nil || u.Deleted || u.Username != username {
		return "", err // a dangling entry is free to take
	}
	return u.ID, nil
}

// claimUsername points username at id; ErrConflict if another live user holds it.
func claimUsername(t *txn, host, username, id string) error {
	owner, err := usernameOwner(t, host, username)
	if err != nil {
		return err
	}
	if owner != "" && owner != id {
		return fmt.Errorf("username %q is taken: %w", username, store.ErrConflict)
	}
	return t.set(key(host, kindUsername, username), []byte(id), time.Time{})
}
