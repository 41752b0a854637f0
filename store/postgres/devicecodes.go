package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

// Device code states the store acts on.
const (
	statusApproved = "approved"
	statusPending  = "pending"
)

// deviceCodeStore implements store.DeviceCodeStore. A unique index on (host, user_code) keeps user codes unique;
// an expired holder of a user code is deleted in the transaction that claims it.
type deviceCodeStore struct{ s *Store }

// Put stores a new device code in one transaction; ErrConflict if its id or user code is taken by a live one.
func (ds deviceCodeStore) Put(ctx context.Context, d *store.DeviceCode) error {
	if err := need("device code", d.Host, d.ID); err != nil {
		return err
	}
	if d.UserCode == "" {
		return errors.New("postgres: device code needs a user code")
	}
	b, err := enc(d)
	if err != nil {
		return err
	}
	now := ds.s.now()
	return ds.s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM device_codes WHERE host = $1 AND (id = $2 OR user_code = $3) AND NOT `+
			live(4), d.Host, d.ID, d.UserCode, now); err != nil {
			return wrap(err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO device_codes (host, id, user_code, expires_at, data) VALUES ($1, $2, $3, $4, $5)`,
			d.Host, d.ID, d.UserCode, expiry(d.ExpiresAt), b)
		if err != nil {
			return fmt.Errorf("device code %s: %w", d.ID, wrap(err))
		}
		return nil
	})
}

// Get returns a live device code: one query.
func (ds deviceCodeStore) Get(ctx context.Context, host, id string) (*store.DeviceCode, error) {
	q, err := ds.s.db()
	if err != nil {
		return nil, err
	}
	return one[store.DeviceCode](ctx, q, "device code "+id,
		`SELECT data FROM device_codes WHERE host = $1 AND id = $2 AND `+live(3), host, id, ds.s.now())
}

// GetByUserCode returns a live device code by user code: one query.
func (ds deviceCodeStore) GetByUserCode(ctx context.Context, host, userCode string) (*store.DeviceCode, error) {
	q, err := ds.s.db()
	if err != nil {
		return nil, err
	}
	return one[store.DeviceCode](ctx, q, "user code "+userCode,
		`SELECT data FROM device_codes WHERE host = $1 AND user_code = $2 AND `+live(3), host, userCode, ds.s.now())
}

// Update replaces a live, unused device code in one transaction (its UsedAt is kept).
func (ds deviceCodeStore) Update(ctx context.Context, d *store.DeviceCode) error {
	now := ds.s.now()
	return ds.s.tx(ctx, func(tx pgx.Tx) error {
		old, err := lockDeviceCode(ctx, tx, d.Host, d.ID, now)
		if err != nil {
			return err
		}
		if !old.UsedAt.IsZero() {
			return fmt.Errorf("device code %s: %w", d.ID, store.ErrAlreadyUsed)
		}
		v := *d
		v.UsedAt = old.UsedAt
		if v.UserCode != old.UserCode {
			if _, err := tx.Exec(ctx, `DELETE FROM device_codes WHERE host = $1 AND user_code = $2 AND NOT `+live(3),
				d.Host, v.UserCode, now); err != nil {
				return wrap(err)
			}
		}
		return writeDeviceCode(ctx, tx, &v)
	})
}

// Poll records a poll of a pending device code in one transaction, under the row's lock so that it never
// overwrites a concurrent approval or denial.
func (ds deviceCodeStore) Poll(ctx context.Context, host, id string, at time.Time, jitter time.Duration, slowDown int) (*store.DeviceCode, bool, error) {
	now := ds.s.now()
	var out *store.DeviceCode
	var early bool
	err := ds.s.tx(ctx, func(tx pgx.Tx) error {
		d, err := lockDeviceCode(ctx, tx, host, id, now)
		out, early = d, false
		switch {
		case err != nil:
			return err
		case !d.UsedAt.IsZero():
			return fmt.Errorf("device code %s: %w", id, store.ErrAlreadyUsed)
		case d.Status != statusPending:
			return nil
		}
		early = d.RecordPoll(at, jitter, slowDown)
		return writeDeviceCode(ctx, tx, d)
	})
	return out, early, err
}

// Consume marks an approved device code used and stores toks, in one transaction.
func (ds deviceCodeStore) Consume(ctx context.Context, host, id string, toks ...*store.Token) (*store.DeviceCode, error) {
	now := ds.s.now()
	var out *store.DeviceCode
	err := ds.s.tx(ctx, func(tx pgx.Tx) error {
		d, err := lockDeviceCode(ctx, tx, host, id, now)
		out = d
		switch {
		case err != nil:
			return err
		case !d.UsedAt.IsZero():
			return fmt.Errorf("device code %s: %w", id, store.ErrAlreadyUsed)
		case d.Status != statusApproved:
			return fmt.Errorf("device code %s is %q, not approved: %w", id, d.Status, store.ErrConflict)
		}
		v := *d
		v.UsedAt = now
		if err := writeDeviceCode(ctx, tx, &v); err != nil {
			return err
		}
		out = &v
		return putGrantTokens(ctx, tx, host, d.GrantID, toks, now)
	})
	return out, err
}

// lockDeviceCode reads a live device code and locks its row until the transaction ends.
func lockDeviceCode(ctx context.Context, tx pgx.Tx, host, id string, now time.Time) (*store.DeviceCode, error) {
	return one[store.DeviceCode](ctx, tx, "device code "+id,
		`SELECT data FROM device_codes WHERE host = $1 AND id = $2 AND `+live(3)+` FOR UPDATE`, host, id, now)
}

// writeDeviceCode rewrites an existing device code row; ErrConflict if its new user code is taken.
func writeDeviceCode(ctx context.Context, tx pgx.Tx, d *store.DeviceCode) error {
	b, err := enc(d)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE device_codes SET user_code = $3, expires_at = $4, data = $5 WHERE host = $1 AND id = $2`,
		d.Host, d.ID, d.UserCode, expiry(d.ExpiresAt), b)
	return wrap(err)
}
