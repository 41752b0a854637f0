package badger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assentry/assentry/store"
)

// deviceCodeStore implements store.DeviceCodeStore: a record plus a user code → device code index entry with
// the record's TTL.
type deviceCodeStore struct{ s *Store }

// Put stores a new device code; ErrConflict if a live one has its id or user code.
func (ds deviceCodeStore) Put(ctx context.Context, d *store.DeviceCode) error {
	if err := need("device code", d.Host, d.ID); err != nil {
		return err
	}
	if d.UserCode == "" {
		return errors.New("badger: device code needs a user code")
	}
	return ds.s.update(ctx, func(t *txn) error {
		if ok, err := deviceCodeTable.live(t, d.Host, d.ID); err != nil || ok {
			return orConflict(err, deviceCodeTable.conflict(d.ID))
		}
		return putDeviceCode(t, d, "")
	})
}

// Get returns a live device code, used or not (UsedAt tells, as Revoked does for Grants.Get).
func (ds deviceCodeStore) Get(ctx context.Context, host, id string) (*store.DeviceCode, error) {
	var d *store.DeviceCode
	err := ds.s.view(ctx, func(t *txn) (err error) {
		d, err = deviceCodeTable.get(t, host, id)
		return err
	})
	return d, err
}

// GetByUserCode returns the live device code of a (normalised) user code, used or not.
func (ds deviceCodeStore) GetByUserCode(ctx context.Context, host, userCode string) (*store.DeviceCode, error) {
	var d *store.DeviceCode
	err := ds.s.view(ctx, func(t *txn) (err error) {
		d, err = byUserCode(t, host, userCode)
		return err
	})
	return d, err
}

// Update replaces a live, unused device code: ErrNotFound when unknown or expired, ErrAlreadyUsed after
// Consume. It cannot consume: the stored UsedAt is kept.
func (ds deviceCodeStore) Update(ctx context.Context, d *store.DeviceCode) error {
	return ds.s.update(ctx, func(t *txn) error {
		old, err := deviceCodeTable.get(t, d.Host, d.ID)
		if err != nil {
			return err
		}
		if !old.UsedAt.IsZero() {
			return fmt.Errorf("device code %s: %w", d.ID, store.ErrAlreadyUsed)
		}
		v := *d
		v.UsedAt = old.UsedAt
		return putDeviceCode(t, &v, old.UserCode)
	})
}

// Poll records a poll of a pending device code (see store.DeviceCodeStore.Poll) in one transaction.
func (ds deviceCodeStore) Poll(ctx context.Context, host, id string, at time.Time, jitter time.Duration, slowDown int) (*store.DeviceCode, bool, error) {
	var out *store.DeviceCode
	var early bool
	err := ds.s.update(ctx, func(t *txn) error {
		d, err := deviceCodeTable.get(t, host, id)
		out, early = d, false
		switch {
		case err != nil:
			return err
		case !d.UsedAt.IsZero():
			return fmt.Errorf("device code %s: %w", id, store.ErrAlreadyUsed)
		case d.Status != store.DevicePending:
			return nil
		}
		early = d.RecordPoll(at, jitter, slowDown)
		return deviceCodeTable.put(t, d, host, id)
	})
	return out, early, err
}

// Consume marks an approved device code used, stores toks and returns it, atomically as Codes.Consume: ErrAlreadyUsed
// (with the record) when used before, ErrConflict (with the record) when it is not approved.
func (ds deviceCodeStore) Consume(ctx context.Context, host, id string, toks ...*store.Token) (*store.DeviceCode, error) {
	var out *store.DeviceCode
	err := ds.s.update(ctx, func(t *txn) error {
		d, err := deviceCodeTable.get(t, host, id)
		out = d
		switch {
		case err != nil:
			return err
		case !d.UsedAt.IsZero():
			return fmt.Errorf("device code %s: %w", id, store.ErrAlreadyUsed)
		case d.Status != store.DeviceApproved:
			return fmt.Errorf("device code %s is %q, not approved: %w", id, d.Status, store.ErrConflict)
		}
		d.UsedAt = t.now
		if err := deviceCodeTable.put(t, d, host, id); err != nil {
			return err
		}
		return putGrantTokens(t, host, d.GrantID, toks)
	})
	return out, err
}

// putDeviceCode writes d and its user-code index entry, claiming the user code unless it is oldUserCode (the
// one d already holds); ErrConflict when a live device code holds it.
func putDeviceCode(t *txn, d *store.DeviceCode, oldUserCode string) error {
	if d.UserCode != oldUserCode {
		holder, err := byUserCode(t, d.Host, d.UserCode)
		switch {
		case err == nil && holder.ID != d.ID:
			return fmt.Errorf("user code %s is taken: %w", d.UserCode, store.ErrConflict)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
		if oldUserCode != "" {
			if err := t.del(key(d.Host, kindUserCode, oldUserCode)); err != nil {
				return err
			}
		}
	}
	if err := deviceCodeTable.put(t, d, d.Host, d.ID); err != nil {
		return err
	}
	return t.set(key(d.Host, kindUserCode, d.UserCode), []byte(d.ID), d.ExpiresAt)
}

// byUserCode follows the user-code index to a live device code that still holds the user code.
func byUserCode(t *txn, host, userCode string) (*store.DeviceCode, error) {
	b, err := t.get(key(host, kindUserCode, userCode))
	if err != nil {
		return nil, err
	}
	if b != nil {
		d, err := deviceCodeTable.get(t, host, string(b))
		if err == nil && d.UserCode == userCode {
			return d, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("user code %s: %w", userCode, store.ErrNotFound)
}
