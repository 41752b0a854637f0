package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

// deviceCodeStore implements store.DeviceCodeStore. A unique index on (host, user_code) keeps user codes unique;
// an expired holder of a user code is deleted in the transaction that claims it.
type deviceCodeStore struct{ s *Store }

// Put stores a new device code in one transaction of one round trip; ErrConflict if its id or user code is taken by a live one.
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
	return ds.s.write(ctx, func(t *txn) error {
		var w pgx.Batch
		w.Queue(`DELETE FROM device_codes WHERE host = $1 AND (id = $2 OR user_code = $3) AND NOT `+live(4),
			d.Host, d.ID, d.UserCode, now)
		exec(&w, "device code "+d.ID, `INSERT INTO device_codes (host, id, user_code, expires_at, data) VALUES ($1, $2, $3, $4, $5)`,
			d.Host, d.ID, d.UserCode, expiry(d.ExpiresAt), b)
		return t.send(ctx, &w, true)
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

// Update replaces a live, unused device code in one transaction of two round trips (lock and read; write and
// commit); its UsedAt is kept.
func (ds deviceCodeStore) Update(ctx context.Context, d *store.DeviceCode) error {
	now := ds.s.now()
	return ds.s.write(ctx, func(t *txn) error {
		old, err := lockDeviceCode(ctx, t, d.Host, d.ID, now, nil)
		if err != nil {
			return err
		}
		if !old.UsedAt.IsZero() {
			return fmt.Errorf("device code %s: %w", d.ID, store.ErrAlreadyUsed)
		}
		v := *d
		v.UsedAt = old.UsedAt
		var w pgx.Batch
		if v.UserCode != old.UserCode {
			w.Queue(`DELETE FROM device_codes WHERE host = $1 AND user_code = $2 AND NOT `+live(3), d.Host, v.UserCode, now)
		}
		if err := queueDeviceCode(&w, &v); err != nil {
			return err
		}
		return t.send(ctx, &w, true)
	})
}

// Poll records a poll of a pending device code in one transaction of two round trips, under the row's lock so
// that it never overwrites a concurrent approval or denial.
func (ds deviceCodeStore) Poll(ctx context.Context, host, id string, at time.Time, jitter time.Duration, slowDown int) (*store.DeviceCode, bool, error) {
	now := ds.s.now()
	var out *store.DeviceCode
	var early bool
	err := ds.s.write(ctx, func(t *txn) error {
		d, err := lockDeviceCode(ctx, t, host, id, now, nil)
		out, early = d, false
		switch {
		case err != nil:
			return err
		case !d.UsedAt.IsZero():
			return fmt.Errorf("device code %s: %w", id, store.ErrAlreadyUsed)
		case d.Status != store.DevicePending:
			return nil
		}
		v := *d
		e := v.RecordPoll(at, jitter, slowDown)
		var w pgx.Batch
		if err := queueDeviceCode(&w, &v); err != nil {
			return err
		}
		if err := t.send(ctx, &w, true); err != nil {
			return err
		}
		out, early = &v, e
		return nil
	})
	return out, early, err
}

// Consume marks an approved device code used and stores toks, in one transaction of two round trips: the first
// locks the device code's row and, with toks, its grant's; the second writes and commits.
func (ds deviceCodeStore) Consume(ctx context.Context, host, id string, toks ...*store.Token) (*store.DeviceCode, error) {
	now := ds.s.now()
	var out *store.DeviceCode
	err := ds.s.write(ctx, func(t *txn) error {
		var gb []byte
		var grant *[]byte
		if len(toks) > 0 {
			grant = &gb
		}
		d, err := lockDeviceCode(ctx, t, host, id, now, grant)
		out = d
		switch {
		case err != nil:
			return err
		case !d.UsedAt.IsZero():
			return fmt.Errorf("device code %s: %w", id, store.ErrAlreadyUsed)
		case d.Status != store.DeviceApproved:
			return fmt.Errorf("device code %s is %q, not approved: %w", id, d.Status, store.ErrConflict)
		}
		v := *d
		v.UsedAt = now
		var w pgx.Batch
		if err := queueDeviceCode(&w, &v); err != nil {
			return err
		}
		if err := commitWithTokens(ctx, t, &w, host, d.GrantID, gb, toks, now); err != nil {
			return err
		}
		out = &v
		return nil
	})
	return out, err
}

// lockDeviceCode begins t, reading a live device code and locking its row until the transaction ends; with
// grant, it also locks the device code's grant and reads it into *grant (nil when absent), in the same round
// trip.
func lockDeviceCode(ctx context.Context, t *txn, host, id string, now time.Time, grant *[]byte) (*store.DeviceCode, error) {
	var db []byte
	var b pgx.Batch
	b.Queue(`SELECT data FROM device_codes WHERE host = $1 AND id = $2 AND `+live(3)+` FOR UPDATE`, host, id, now).
		QueryRow(row(&db))
	if grant != nil {
		b.Queue(grantLockOf("device_codes", "data->>'grant_id'"), host, id, now).QueryRow(row(grant))
	}
	if err := t.send(ctx, &b, false); err != nil {
		return nil, err
	}
	if db == nil {
		return nil, fmt.Errorf("device code %s: %w", id, store.ErrNotFound)
	}
	return dec[store.DeviceCode](db)
}

// queueDeviceCode queues the rewrite of an existing device code row; ErrConflict if its new user code is taken.
func queueDeviceCode(b *pgx.Batch, d *store.DeviceCode) error {
	db, err := enc(d)
	if err != nil {
		return err
	}
	exec(b, "device code "+d.ID, `UPDATE device_codes SET user_code = $3, expires_at = $4, data = $5 WHERE host = $1 AND id = $2`,
		d.Host, d.ID, d.UserCode, expiry(d.ExpiresAt), db)
	return nil
}
