package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

var _ store.InstanceRegistry = (*Store)(nil)

// Announce creates or replaces the announcement of inst.ID: one upsert (store.InstanceRegistry).
func (s *Store) Announce(ctx context.Context, inst *store.Instance) error {
	if inst.ID == "" {
		return errors.New("postgres: an instance needs an id")
	}
	q, err := s.db()
	if err != nil {
		return err
	}
	clients := inst.Clients
	if clients == nil {
		clients = map[string][]string{}
	}
	b, err := enc(clients)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO assentry_instances (id, started_at, expires_at, clients) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, expires_at = excluded.expires_at,
			clients = excluded.clients`, inst.ID, inst.StartedAt, inst.ExpiresAt, b)
	return wrap(err)
}

// Withdraw removes the announcement of id: one statement (store.InstanceRegistry).
func (s *Store) Withdraw(ctx context.Context, id string) error {
	q, err := s.db()
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `DELETE FROM assentry_instances WHERE id = $1`, id)
	return wrap(err)
}

// Instances returns the live announcements ordered by id: one query (store.InstanceRegistry). Lapsed rows (an
// instance that crashed) are removed by the sweep.
func (s *Store) Instances(ctx context.Context) ([]*store.Instance, error) {
	q, err := s.db()
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT id, started_at, expires_at, clients FROM assentry_instances
		WHERE expires_at > $1 ORDER BY id`, s.now())
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	var out []*store.Instance
	for rows.Next() {
		inst := &store.Instance{}
		var b []byte
		if err := rows.Scan(&inst.ID, &inst.StartedAt, &inst.ExpiresAt, &b); err != nil {
			return nil, wrap(err)
		}
		clients, err := dec[map[string][]string](b)
		if err != nil {
			return nil, err
		}
		inst.Clients = *clients
		out = append(out, inst)
	}
	return out, wrap(rows.Err())
}

// DeleteUndeclaredClient deletes a config-declared client no live announcement declares, and revokes its
// grants, in one transaction (store.InstanceRegistry). The client's row is locked first and the announcements
// read by a later statement, which under read committed sees every announcement committed by then: an
// instance that announced the client before writing it either committed its write before the lock (so its
// announcement is seen and the client kept) or waits on the lock and writes the client again after the delete.
func (s *Store) DeleteUndeclaredClient(ctx context.Context, host, id string) (bool, error) {
	now := s.now()
	deleted := false
	err := s.tx(ctx, func(tx pgx.Tx) error {
		deleted = false
		c, err := one[store.Client](ctx, tx, "client "+id,
			`SELECT data FROM clients WHERE host = $1 AND id = $2 FOR UPDATE`, host, id)
		if err != nil {
			return err
		}
		if !c.FromConfig {
			return nil
		}
		var declared bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assentry_instances
			WHERE expires_at > $3 AND clients -> $1::text ? $2::text)`, host, id, now).Scan(&declared); err != nil {
			return wrap(err)
		}
		if declared {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM clients WHERE host = $1 AND id = $2`, host, id); err != nil {
			return wrap(err)
		}
		if _, err := revokeGrants(ctx, tx, host, "client_id", id, now); err != nil {
			return err
		}
		deleted = true
		return nil
	})
	return deleted && err == nil, err
}
