package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

// revokedStore implements store.RevokedClientStore. Bans never expire.
type revokedStore struct{ s *Store }

// Add bans a registered client and revokes its live grants, in one transaction; a second ban keeps the first
// record (the insert affects no row, which is how Add tells it was not new).
func (rs revokedStore) Add(ctx context.Context, r *store.RevokedClient, clientID string) (int, bool, error) {
	if err := need("revoked client", r.Host, r.ID); err != nil {
		return 0, false, err
	}
	if clientID == "" {
		return 0, false, errors.New("postgres: revoked client needs the client id")
	}
	b, err := enc(r)
	if err != nil {
		return 0, false, err
	}
	now := rs.s.now()
	var n, inserted int64
	err = rs.s.write(ctx, func(t *txn) error {
		n, inserted = 0, 0
		var w pgx.Batch
		w.Queue(revokeGrantsSQL("client_id"), r.Host, clientID, now, jtime(now)).Exec(affected(&n))
		w.Queue(`INSERT INTO revoked_clients (host, id, revoked_at, data) VALUES ($1, $2, $3, $4)
			ON CONFLICT (host, id) DO NOTHING`, r.Host, r.ID, r.RevokedAt, b).Exec(affected(&inserted))
		return t.send(ctx, &w, true)
	})
	return int(n), inserted == 1 && err == nil, err
}

// Get returns the ban of a client by the digest of its id: one query.
func (rs revokedStore) Get(ctx context.Context, host, id string) (*store.RevokedClient, error) {
	q, err := rs.s.db()
	if err != nil {
		return nil, err
	}
	return one[store.RevokedClient](ctx, q, "revoked client "+id,
		`SELECT data FROM revoked_clients WHERE host = $1 AND id = $2`, host, id)
}

// List returns the host's bans, oldest first: one query.
func (rs revokedStore) List(ctx context.Context, host string) ([]*store.RevokedClient, error) {
	q, err := rs.s.db()
	if err != nil {
		return nil, err
	}
	return list[store.RevokedClient](ctx, q,
		`SELECT data FROM revoked_clients WHERE host = $1 ORDER BY revoked_at, id`, host)
}
