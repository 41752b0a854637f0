package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/assentry/assentry/store"
)

// DPoPProofs returns the jti records of DPoP proofs.
func (s *Store) DPoPProofs() store.DPoPProofStore { return dpopStore{s} }

// dpopStore implements store.DPoPProofStore on the dpop_jtis table.
type dpopStore struct{ s *Store }

// Record is one round trip: an INSERT whose conflict takes over the row only when it has expired (the sweep may
// not have removed it yet, and the contract treats an expired record as absent). PostgreSQL serialises racing
// inserts of one key on the row: the second waits for the first, then finds a live row and writes nothing, so
// exactly one recorder sees a row affected.
func (ds dpopStore) Record(ctx context.Context, host, jti string, expiresAt time.Time) error {
	if err := need("dpop proof", host, jti); err != nil {
		return err
	}
	q, err := ds.s.db()
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `INSERT INTO dpop_jtis AS d (host, jti, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (host, jti) DO UPDATE SET expires_at = excluded.expires_at WHERE d.expires_at <= $4`,
		host, jti, expiresAt.UTC(), ds.s.now())
	if err != nil {
		return wrap(err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("dpop proof %s: %w", jti, store.ErrAlreadyUsed)
	}
	return nil
}
