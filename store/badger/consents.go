package badger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/assentry/assentry/store"
)

// consentStore implements store.ConsentStore. Consents are keyed user first (h/<host>/consent/<user>/<client>),
// so a user's consents are one prefix.
type consentStore struct{ s *Store }

// Put creates or replaces a consent.
func (cs consentStore) Put(ctx context.Context, c *store.Consent) error {
	if err := need("consent", c.Host, c.UserID); err != nil {
		return err
	}
	if c.ClientID == "" {
		return errors.New("badger: consent needs a client id")
	}
	return cs.s.update(ctx, func(t *txn) error { return consentTable.put(t, c, c.Host, c.UserID, c.ClientID) })
}

// Get returns a live consent.
func (cs consentStore) Get(ctx context.Context, host, userID, clientID string) (*store.Consent, error) {
	var c *store.Consent
	err := cs.s.view(ctx, func(t *txn) (err error) {
		c, err = consentTable.get(t, host, userID, clientID)
		return err
	})
	return c, err
}

// Delete forgets a consent; ErrNotFound when there is no live one.
func (cs consentStore) Delete(ctx context.Context, host, userID, clientID string) error {
	return cs.s.update(ctx, func(t *txn) error {
		if _, err := consentTable.get(t, host, userID, clientID); err != nil {
			return err
		}
		return consentTable.del(t, host, userID, clientID)
	})
}

// ListByUser returns the user's live consents ordered by client id.
func (cs consentStore) ListByUser(ctx context.Context, host, userID string) ([]*store.Consent, error) {
	var out []*store.Consent
	err := cs.s.view(ctx, func(t *txn) (err error) {
		out, err = consentTable.list(t, host, userID)
		return err
	})
	slices.SortFunc(out, func(a, b *store.Consent) int { return strings.Compare(a.ClientID, b.ClientID) })
	return out, err
}

// forgetConsentSteps lists the steps that delete every consent of a user (a deleted user's consents are dead
// weight: the id is never reused).
func forgetConsentSteps(t *txn, host, userID string) ([]step, error) {
	all, err := consentTable.list(t, host, userID)
	if err != nil {
		return nil, fmt.Errorf("badger: consents of %s: %w", userID, err)
	}
	steps := make([]step, len(all))
	for i, c := range all {
		steps[i] = func(t *txn) (bool, error) {
			err := consentTable.del(t, host, userID, c.ClientID)
			return err == nil, err
		}
	}
	return steps, nil
}
