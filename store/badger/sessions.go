package badger

import (
	"context"
	"slices"
	"strings"

	"github.com/assentry/assentry/store"
)

// sessionStore implements store.SessionStore: a session record plus a user → session index entry with the
// same TTL, so a user's sessions can be ended without a scan of all sessions.
type sessionStore struct{ s *Store }

// Put creates or replaces a session.
func (ss sessionStore) Put(ctx context.Context, x *store.Session) error {
	if err := need("session", x.Host, x.ID); err != nil {
		return err
	}
	return ss.s.update(ctx, func(t *txn) error {
		old, err := sessionTable.raw(t, x.Host, x.ID)
		if err != nil {
			return err
		}
		if old != nil && old.UserID != x.UserID {
			if err := t.del(key(x.Host, kindUserSession, old.UserID, x.ID)); err != nil {
				return err
			}
		}
		if err := sessionTable.put(t, x, x.Host, x.ID); err != nil {
			return err
		}
		return t.set(key(x.Host, kindUserSession, x.UserID, x.ID), []byte(x.ID), x.ExpiresAt)
	})
}

// Get returns a live session.
func (ss sessionStore) Get(ctx context.Context, host, id string) (*store.Session, error) {
	var x *store.Session
	err := ss.s.view(ctx, func(t *txn) (err error) {
		x, err = sessionTable.get(t, host, id)
		return err
	})
	return x, err
}

// Delete ends a session; ErrNotFound when it is not live.
func (ss sessionStore) Delete(ctx context.Context, host, id string) error {
	return ss.s.update(ctx, func(t *txn) error {
		x, err := sessionTable.get(t, host, id)
		if err != nil {
			return err
		}
		_, err = endSession(t, host, x.UserID, id)
		return err
	})
}

// DeleteByUser ends every session of a user in one write and returns how many were live.
func (ss sessionStore) DeleteByUser(ctx context.Context, host, userID string) (int, error) {
	return ss.s.bulk(ctx, func(t *txn) ([]step, func(*txn) error, error) {
		steps, err := endSessionSteps(t, host, userID)
		return steps, nil, err
	})
}

// DeleteByUserExcept ends every session of a user but keep in one write and returns how many were live.
func (ss sessionStore) DeleteByUserExcept(ctx context.Context, host, userID, keep string) (int, error) {
	return ss.s.bulk(ctx, func(t *txn) ([]step, func(*txn) error, error) {
		steps, err := endSessionSteps(t, host, userID, keep)
		return steps, nil, err
	})
}

// ListByUser returns the user's live sessions from the user → session index, oldest first.
func (ss sessionStore) ListByUser(ctx context.Context, host, userID string) ([]*store.Session, error) {
	var out []*store.Session
	err := ss.s.view(ctx, func(t *txn) error {
		ids, err := t.scanIDs(prefix(host, kindUserSession, userID))
		if err != nil {
			return err
		}
		for _, id := range ids {
			x, err := sessionTable.raw(t, host, id)
			if err != nil {
				return err
			}
			// An index entry outlives a session that changed hands only until Put removes it; check anyway.
			if x != nil && x.UserID == userID && !t.expired(x.ExpiresAt) {
				out = append(out, x)
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b *store.Session) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// endSessionSteps lists the steps that end every session of a user, but the ones in keep.
func endSessionSteps(t *txn, host, userID string, keep ...string) ([]step, error) {
	ids, err := t.scanIDs(prefix(host, kindUserSession, userID))
	steps := make([]step, 0, len(ids))
	for _, id := range ids {
		if slices.Contains(keep, id) {
			continue
		}
		steps = append(steps, func(t *txn) (bool, error) { return endSession(t, host, userID, id) })
	}
	return steps, err
}

// endSession removes a session and its index entry, and reports whether the session was live.
func endSession(t *txn, host, userID, id string) (bool, error) {
	x, err := sessionTable.raw(t, host, id)
	if err != nil {
		return false, err
	}
	live := x != nil && x.UserID == userID && !t.expired(x.ExpiresAt)
	if x != nil && x.UserID == userID {
		if err := sessionTable.del(t, host, id); err != nil {
			return false, err
		}
	}
	return live, t.del(key(host, kindUserSession, userID, id))
}
