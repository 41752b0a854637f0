package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/assentry/assentry/store"
)

// consentStore implements store.ConsentStore: one row per user × client.
type consentStore struct{ s *Store }

// Put creates or replaces a consent: one statement.
func (cs consentStore) Put(ctx context.Context, c *store.Consent) error {
	if err := need("consent", c.Host, c.UserID); err != nil {
		return err
	}
	if c.ClientID == "" {
		return errors.New("postgres: consent needs a client id")
	}
	q, err := cs.s.db()
	if err != nil {
		return err
	}
	b, err := enc(c)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO consents (host, user_id, client_id, expires_at, data) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (host, user_id, client_id) DO UPDATE SET expires_at = excluded.expires_at, data = excluded.data`,
		c.Host, c.UserID, c.ClientID, expiry(c.ExpiresAt), b)
	return wrap(err)
}

// Get returns a live consent: one query.
func (cs consentStore) Get(ctx context.Context, host, userID, clientID string) (*store.Consent, error) {
	q, err := cs.s.db()
	if err != nil {
		return nil, err
	}
	return one[store.Consent](ctx, q, fmt.Sprintf("consent %s/%s", userID, clientID),
		`SELECT data FROM consents WHERE host = $1 AND user_id = $2 AND client_id = $3 AND `+live(4),
		host, userID, clientID, cs.s.now())
}

// Delete removes a live consent: one statement; ErrNotFound when there is none.
func (cs consentStore) Delete(ctx context.Context, host, userID, clientID string) error {
	q, err := cs.s.db()
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `DELETE FROM consents WHERE host = $1 AND user_id = $2 AND client_id = $3 AND `+live(4),
		host, userID, clientID, cs.s.now())
	if err != nil {
		return wrap(err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("consent %s/%s: %w", userID, clientID, store.ErrNotFound)
	}
	return nil
}

// ListByUser returns the user's live consents ordered by client id: one query.
func (cs consentStore) ListByUser(ctx context.Context, host, userID string) ([]*store.Consent, error) {
	q, err := cs.s.db()
	if err != nil {
		return nil, err
	}
	return list[store.Consent](ctx, q, `SELECT data FROM consents WHERE host = $1 AND user_id = $2 AND `+live(3)+
		` ORDER BY client_id`, host, userID, cs.s.now())
}
