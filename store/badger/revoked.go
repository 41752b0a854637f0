package badger

import (
	"context"
	"errors"
	"slices"

	"github.com/assentry/assentry/store"
)

// revokedStore implements store.RevokedClientStore: one record per banned client, keyed by the digest of its
// id. The grants of the client are found through the client → grant index that grantStore maintains, under the
// full client_id.
type revokedStore struct{ s *Store }

// Add records the ban (unless one exists) and revokes every grant issued to clientID, in one write (see
// Store.bulk; the record is the final write, so a split write leaves grants revoked before the ban, never a
// ban with live grants).
func (rs revokedStore) Add(ctx context.Context, r *store.RevokedClient, clientID string) (int, bool, error) {
	if err := need("revoked client", r.Host, r.ID); err != nil {
		return 0, false, err
	}
	if clientID == "" {
		return 0, false, errors.New("badger: revoked client needs the client id")
	}
	// added is set by the attempt that commits: every attempt (a conflict's retry, a split write's next
	// transaction) starts it over.
	added := false
	n, err := rs.s.bulk(ctx, func(t *txn) ([]step, func(*txn) error, error) {
		added = false
		steps, err := revokeSteps(t, r.Host, kindClientGrant, clientID)
		if err != nil {
			return nil, nil, err
		}
		return steps, func(t *txn) error {
			if ok, err := revokedTable.live(t, r.Host, r.ID); err != nil || ok {
				return err // banned before: the first record stays
			}
			added = true
			return revokedTable.put(t, r, r.Host, r.ID)
		}, nil
	})
	return n, added && err == nil, err
}

// Get returns the ban of a client by the digest of its id.
func (rs revokedStore) Get(ctx context.Context, host, id string) (*store.RevokedClient, error) {
	var r *store.RevokedClient
	err := rs.s.view(ctx, func(t *txn) (err error) {
		r, err = revokedTable.get(t, host, id)
		return err
	})
	return r, err
}

// List returns the host's bans, oldest first.
func (rs revokedStore) List(ctx context.Context, host string) ([]*store.RevokedClient, error) {
	var out []*store.RevokedClient
	err := rs.s.view(ctx, func(t *txn) (err error) {
		out, err = revokedTable.list(t, host)
		return err
	})
	slices.SortStableFunc(out, func(a, b *store.RevokedClient) int { return a.RevokedAt.Compare(b.RevokedAt) })
	return out, err
}
