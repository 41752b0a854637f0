package store

import (
	"context"
	"time"
)

// Leases is the optional capability of a store that several processes share (PostgreSQL, and any backend whose
// instances may run side by side): a named lease, held by one holder at a time until it runs out or is released.
// It lets one instance at a time do what must not be done twice, such as creating a host's next signing key.
// Callers find it with a type assertion on the Store; a store without it is used by one process only.
//
// A lease is a row (or record) taken with one conditional write, not a database lock: it holds across
// connections and transactions, and it works where advisory locks do not (CockroachDB's advisory-lock functions
// are no-ops). Its time is the store's clock, so the processes sharing a store must run on synchronised clocks,
// as they must anyway for the expiry of what they store. A lease is not a fence: a holder that stalls past its
// ttl may find another holder acting beside it, so holders keep their work well within ttl, and renew before a
// write when the work before it was long.
type Leases interface {
	// TakeLease takes the lease name for holder until now + ttl, or renews it until then when holder already has
	// it. While another holder has it (its time not run out) it returns false and writes nothing. Of holders
	// racing for a free lease, exactly one gets it. ttl must be positive.
	TakeLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	// ReleaseLease ends holder's lease on name at once, so that another holder may take it without waiting for it
	// to run out. It does nothing when holder does not hold the lease (it ran out, or another holder has it).
	ReleaseLease(ctx context.Context, name, holder string) error
}
