package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

// interactionStore implements store.InteractionStore. Consume is one conditional UPDATE (… WHERE NOT used),
// so of racing consumers on any instances exactly one gets the row back.
type interactionStore struct{ s *Store }

// Put creates or replaces a live, unused interaction: one statement; ErrAlreadyUsed when a live one with the
// id was consumed.
func (is interactionStore) Put(ctx context.Context, x *store.Interaction) error {
	if err := need("interaction", x.Host, x.ID); err != nil {
		return err
	}
	q, err := is.s.db()
	if err != nil {
		return err
	}
	b, err := enc(x)
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `INSERT INTO interactions AS i (host, id, expires_at, used, data) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (host, id) DO UPDATE SET expires_at = excluded.expires_at, used = excluded.used, data = excluded.data
		WHERE NOT i.used OR NOT (i.expires_at IS NULL OR i.expires_at > $6)`,
		x.Host, x.ID, expiry(x.ExpiresAt), !x.UsedAt.IsZero(), b, is.s.now())
	if err != nil {
		return wrap(err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("interaction %s: %w", x.ID, store.ErrAlreadyUsed)
	}
	return nil
}

// Get returns a live interaction, a used one with ErrAlreadyUsed: one query.
func (is interactionStore) Get(ctx context.Context, host, id string) (*store.Interaction, error) {
	q, err := is.s.db()
	if err != nil {
		return nil, err
	}
	x, err := one[store.Interaction](ctx, q, "interaction "+id,
		`SELECT data FROM interactions WHERE host = $1 AND id = $2 AND `+live(3), host, id, is.s.now())
	if err == nil && !x.UsedAt.IsZero() {
		return x, fmt.Errorf("interaction %s: %w", id, store.ErrAlreadyUsed)
	}
	return x, err
}

// Consume marks a live interaction used: one round trip of two statements, the conditional UPDATE (… WHERE
// NOT used), which only one of racing consumers gets a row from, and a read that runs after it (in a snapshot
// taken after the UPDATE, so after a racing winner's commit) to tell a loser whether the interaction was used
// (returned with ErrAlreadyUsed) or is gone.
func (is interactionStore) Consume(ctx context.Context, host, id string) (*store.Interaction, error) {
	now := is.s.now()
	var won, seen []byte
	var b pgx.Batch
	b.Queue(`UPDATE interactions SET used = true, data = jsonb_set(data, '{used_at}', $4::jsonb)
		WHERE host = $1 AND id = $2 AND NOT used AND `+live(3)+` RETURNING data`, host, id, now, jtime(now)).
		QueryRow(row(&won))
	b.Queue(`SELECT data FROM interactions WHERE host = $1 AND id = $2 AND `+live(3), host, id, now).QueryRow(row(&seen))
	if err := is.s.batch(ctx, &b); err != nil {
		return nil, err
	}
	switch {
	case won != nil:
		return dec[store.Interaction](won)
	case seen != nil:
		x, err := dec[store.Interaction](seen)
		if err != nil {
			return nil, err
		}
		return x, fmt.Errorf("interaction %s: %w", id, store.ErrAlreadyUsed)
	}
	return nil, fmt.Errorf("interaction %s: %w", id, store.ErrNotFound)
}
