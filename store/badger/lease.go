package badger

import (
	"context"
	"errors"
	"fmt"
	"time"

	json "github.com/goccy/go-json"

	"github.com/assentry/assentry/store"
)

var _ store.Leases = (*Store)(nil)

// lease is the record of a lease under s/lease/<name>.
type lease struct {
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
}

// TakeLease takes or renews the lease name for holder until now + ttl (see store.Leases). A data directory has
// one process, but the contract holds all the same: the read and the write are one transaction, and of two
// racing ones Badger's conflict detection makes the loser run again and see the winner's record.
func (s *Store) TakeLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return false, errors.New("badger: a lease needs a name, a holder and a positive ttl")
	}
	var taken bool
	err := s.update(ctx, func(t *txn) error {
		taken = false // fn may run more than once: recompute
		cur, err := getLease(t, name)
		if err != nil {
			return err
		}
		if cur != nil && cur.Holder != holder && !t.expired(cur.Until) {
			return nil
		}
		b, err := json.Marshal(lease{Holder: holder, Until: t.now.Add(ttl)})
		if err != nil {
			return fmt.Errorf("badger: encode lease: %w", err)
		}
		if err := t.set(serverKey(kindLease, name), b, t.now.Add(ttl)); err != nil {
			return err
		}
		taken = true
		return nil
	})
	return taken, err
}

// ReleaseLease ends holder's lease on name, if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.update(ctx, func(t *txn) error {
		cur, err := getLease(t, name)
		if err != nil || cur == nil || cur.Holder != holder {
			return err
		}
		return t.del(serverKey(kindLease, name))
	})
}

// getLease reads the record of lease name, nil when there is none (an expired one is returned: the caller
// compares its time with the transaction's).
func getLease(t *txn, name string) (*lease, error) {
	b, err := t.get(serverKey(kindLease, name))
	if err != nil || b == nil {
		return nil, err
	}
	l := new(lease)
	if err := json.Unmarshal(b, l); err != nil {
		return nil, fmt.Errorf("badger: decode lease %s: %w", name, err)
	}
	return l, nil
}
