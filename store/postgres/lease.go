package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/assentry/assentry/store"
)

var _ store.Leases = (*Store)(nil)

// TakeLease takes or renews the lease name for holder until now + ttl (see store.Leases). One conditional upsert
// on assentry_leases decides it: atomic on PostgreSQL and CockroachDB alike, where an advisory lock would not be
// (CockroachDB's advisory-lock functions are no-ops).
func (s *Store) TakeLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	return s.takeLease(ctx, name, holder, s.now(), ttl)
}

// ReleaseLease ends holder's lease on name, if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	q, err := s.db()
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `DELETE FROM assentry_leases WHERE name = $1 AND holder = $2`, name, holder); err != nil {
		return wrap(err)
	}
	return nil
}

// takeLease takes or renews the lease name for holder until now+ttl, unless another holder has it until later:
// the row is inserted, or updated only where the WHERE clause holds, and one row affected means it is holder's.
// Two racing inserts of a free lease serialise on the primary key, and the loser's update then sees the winner's
// row, so exactly one of them gets it.
func (s *Store) takeLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return false, errors.New("postgres: a lease needs a name, a holder and a positive ttl")
	}
	q, err := s.db()
	if err != nil {
		return false, err
	}
	tag, err := q.Exec(ctx, `INSERT INTO assentry_leases AS l (name, holder, until) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE l.holder = excluded.holder OR l.until <= $4`, name, holder, now.Add(ttl), now)
	if err != nil {
		return false, wrap(err)
	}
	return tag.RowsAffected() == 1, nil
}
