package postgres

import (
	"context"
	"fmt"

	"github.com/assentry/assentry/store"
)

// clientStore implements store.ClientStore. Clients never expire.
type clientStore struct{ s *Store }

// Create adds a client in one statement; ErrConflict if the id exists.
func (cs clientStore) Create(ctx context.Context, c *store.Client) error {
	if err := need("client", c.Host, c.ID); err != nil {
		return err
	}
	q, err := cs.s.db()
	if err != nil {
		return err
	}
	b, err := enc(c)
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `INSERT INTO clients (host, id, data) VALUES ($1, $2, $3) ON CONFLICT (host, id) DO NOTHING`,
		c.Host, c.ID, b)
	if err != nil {
		return wrap(err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("client %s exists: %w", c.ID, store.ErrConflict)
	}
	return nil
}

// Put creates or replaces a client: one statement.
func (cs clientStore) Put(ctx context.Context, c *store.Client) error {
	if err := need("client", c.Host, c.ID); err != nil {
		return err
	}
	q, err := cs.s.db()
	if err != nil {
		return err
	}
	b, err := enc(c)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO clients (host, id, data) VALUES ($1, $2, $3)
		ON CONFLICT (host, id) DO UPDATE SET data = excluded.data`, c.Host, c.ID, b)
	return wrap(err)
}

// Get returns a client: one query.
func (cs clientStore) Get(ctx context.Context, host, id string) (*store.Client, error) {
	q, err := cs.s.db()
	if err != nil {
		return nil, err
	}
	return one[store.Client](ctx, q, "client "+id, `SELECT data FROM clients WHERE host = $1 AND id = $2`, host, id)
}

// Update replaces an existing client: one statement; ErrNotFound if it does not exist.
func (cs clientStore) Update(ctx context.Context, c *store.Client) error {
	q, err := cs.s.db()
	if err != nil {
		return err
	}
	b, err := enc(c)
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `UPDATE clients SET data = $3 WHERE host = $1 AND id = $2`, c.Host, c.ID, b)
	if err != nil {
		return wrap(err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("client %s: %w", c.ID, store.ErrNotFound)
	}
	return nil
}

// Delete removes a client and revokes every grant issued to it: one statement (a writable CTE), which revokes
// the grants only when it deleted the client (a data-modifying WITH runs to completion whether or not the
// outer query reads it, on PostgreSQL and CockroachDB alike).
func (cs clientStore) Delete(ctx context.Context, host, id string) error {
	q, err := cs.s.db()
	if err != nil {
		return err
	}
	now := cs.s.now()
	var n int
	err = q.QueryRow(ctx, `WITH d AS (DELETE FROM clients WHERE host = $1 AND id = $2 RETURNING id),
		r AS (UPDATE grants SET revoked = true,
				data = jsonb_set(jsonb_set(data, '{revoked}', 'true'), '{revoked_at}', $4::jsonb)
			WHERE host = $1 AND client_id = $2 AND NOT revoked AND `+live(3)+` AND EXISTS (SELECT 1 FROM d)
			RETURNING id)
		SELECT count(*) FROM d`, host, id, now, jtime(now)).Scan(&n)
	if err != nil {
		return wrap(err)
	}
	if n == 0 {
		return fmt.Errorf("client %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// List returns a host's clients ordered by id: one query.
func (cs clientStore) List(ctx context.Context, host string) ([]*store.Client, error) {
	q, err := cs.s.db()
	if err != nil {
		return nil, err
	}
	return list[store.Client](ctx, q, `SELECT data FROM clients WHERE host = $1 ORDER BY id`, host)
}
