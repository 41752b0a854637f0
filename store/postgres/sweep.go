package postgres

import (
	"context"
	"fmt"
	"time"
)

// sweepTables lists each table with expiring rows and the columns of its key.
var sweepTables = []struct{ table, key string }{
	{"sessions", "host, id"},
	{"consents", "host, user_id, client_id"},
	{"codes", "host, id"},
	{"device_codes", "host, id"},
	{"interactions", "host, id"},
	{"tokens", "host, id"},
	{"grants", "host, id"}, // after tokens: a grant outlives its tokens, never the other way round
	{"keys", "host, id"},
	{"dpop_jtis", "host, jti"},
	{"admin_tokens", "id"},
	{"assentry_instances", "id"}, // lapsed announcements (an instance that crashed); a few rows at most
}

// sweepLease names the lease that lets one instance at a time sweep.
const sweepLease = "sweep"

// Sweep removes up to limit expired rows of each table, if holder gets the sweep lease for ttl, and returns how
// many rows it removed and whether it held the lease. Every read already treats an expired row as absent, so the
// sweep only reclaims space: running it late, or twice, changes no answer. Each table costs one bounded DELETE
// (one round trip, its own implicit transaction), so a sweep never holds locks on many rows for long.
func (s *Store) Sweep(ctx context.Context, holder string, ttl time.Duration, limit int) (int, bool, error) {
	q, err := s.db()
	if err != nil {
		return 0, false, err
	}
	now := s.now()
	ok, err := s.takeLease(ctx, sweepLease, holder, now, ttl)
	if err != nil || !ok {
		return 0, false, err
	}
	n := 0
	for _, t := range sweepTables {
		tag, err := q.Exec(ctx, fmt.Sprintf(`DELETE FROM %[1]s WHERE (%[2]s) IN
			(SELECT %[2]s FROM %[1]s WHERE expires_at <= $1 LIMIT $2)`, t.table, t.key), now, limit)
		if err != nil {
			return n, true, fmt.Errorf("postgres: sweep %s: %w", t.table, wrap(err))
		}
		n += int(tag.RowsAffected())
	}
	return n, true, nil
}
