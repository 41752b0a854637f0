package storetest

import (
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// testDeviceCodes covers DeviceCodeStore: uniqueness of id and user code, the pending → approved → used
// lifecycle through Update and Consume, denial, and expiry freeing the user code.
func testDeviceCodes(t *testing.T, open Opener) {
	t.Run("PutGet", func(t *testing.T) {
		e := newEnv(t, open)
		d := e.newDeviceCode(hostA, "dc1", "WDJBMJHT")
		e.must(e.s.DeviceCodes().Put(e.ctx, d))
		got, err := e.s.DeviceCodes().Get(e.ctx, hostA, "dc1")
		e.must(err)
		same(t, "Get", got, d)
		got, err = e.s.DeviceCodes().GetByUserCode(e.ctx, hostA, "WDJBMJHT")
		e.must(err)
		same(t, "GetByUserCode", got, d)

		tests := []struct {
			name string
			call func() error
			want error
		}{
			{"Put same id", func() error { return e.s.DeviceCodes().Put(e.ctx, e.newDeviceCode(hostA, "dc1", "KQXRTNPV")) }, store.ErrConflict},
			{"Put same user code", func() error { return e.s.DeviceCodes().Put(e.ctx, e.newDeviceCode(hostA, "dc2", "WDJBMJHT")) }, store.ErrConflict},
			{"Get unknown", func() error { _, err := e.s.DeviceCodes().Get(e.ctx, hostA, "nope"); return err }, store.ErrNotFound},
			{"GetByUserCode unknown", func() error { _, err := e.s.DeviceCodes().GetByUserCode(e.ctx, hostA, "KQXRTNPV"); return err }, store.ErrNotFound},
			{"Update unknown", func() error { return e.s.DeviceCodes().Update(e.ctx, e.newDeviceCode(hostA, "dc3", "MMMMNNNN")) }, store.ErrNotFound},
			{"Consume unknown", func() error { _, err := e.s.DeviceCodes().Consume(e.ctx, hostA, "nope"); return err }, store.ErrNotFound},
		}
		for _, tt := range tests {
			e.is(tt.name, tt.call(), tt.want)
		}
	})

	t.Run("Lifecycle", func(t *testing.T) {
		e := newEnv(t, open)
		d := e.newDeviceCode(hostA, "dc1", "WDJBMJHT")
		e.must(e.s.DeviceCodes().Put(e.ctx, d))

		// Pending: a poll updates LastPollAt; consuming is refused and consumes nothing.
		e.clock.Advance(5 * time.Second)
		d.LastPollAt = e.now()
		e.must(e.s.DeviceCodes().Update(e.ctx, d))
		got, err := e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1")
		e.is("Consume pending", err, store.ErrConflict)
		same(t, "Consume pending", got, d)

		// Approved: one consume wins.
		d.Status, d.UserID, d.GrantID = "approved", "u1", "g1"
		e.must(e.s.DeviceCodes().Update(e.ctx, d))
		got, err = e.s.DeviceCodes().GetByUserCode(e.ctx, hostA, "WDJBMJHT")
		e.must(err)
		same(t, "GetByUserCode after approval", got, d)
		e.clock.Advance(time.Second)
		got, err = e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1")
		e.must(err)
		want := *d
		want.UsedAt = e.now()
		same(t, "Consume approved", got, &want)

		got, err = e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1")
		e.is("Consume again", err, store.ErrAlreadyUsed)
		same(t, "Consume again", got, &want)
		e.is("Update used", e.s.DeviceCodes().Update(e.ctx, d), store.ErrAlreadyUsed)
		got, err = e.s.DeviceCodes().Get(e.ctx, hostA, "dc1")
		e.must(err) // a used device code is still readable: UsedAt tells
		same(t, "Get used", got, &want)
	})

	t.Run("Denied", func(t *testing.T) {
		e := newEnv(t, open)
		d := e.newDeviceCode(hostA, "dc1", "WDJBMJHT")
		e.must(e.s.DeviceCodes().Put(e.ctx, d))
		d.Status = "denied"
		e.must(e.s.DeviceCodes().Update(e.ctx, d))
		_, err := e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1")
		e.is("Consume denied", err, store.ErrConflict)
	})

	t.Run("Expiry", func(t *testing.T) {
		e := newEnv(t, open)
		d := e.newDeviceCode(hostA, "dc1", "WDJBMJHT")
		e.must(e.s.DeviceCodes().Put(e.ctx, d))
		d.Status = "approved"
		e.must(e.s.DeviceCodes().Update(e.ctx, d))
		e.clock.Advance(d.ExpiresAt.Sub(e.now()))

		_, err := e.s.DeviceCodes().Get(e.ctx, hostA, "dc1")
		e.is("Get", err, store.ErrNotFound)
		_, err = e.s.DeviceCodes().GetByUserCode(e.ctx, hostA, "WDJBMJHT")
		e.is("GetByUserCode", err, store.ErrNotFound)
		e.is("Update", e.s.DeviceCodes().Update(e.ctx, d), store.ErrNotFound)
		_, err = e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1")
		e.is("Consume", err, store.ErrNotFound)
		// The user code of an expired device code is free again.
		e.is("Put with the freed user code", e.s.DeviceCodes().Put(e.ctx, e.newDeviceCode(hostA, "dc2", "WDJBMJHT")), nil)
		got, err := e.s.DeviceCodes().GetByUserCode(e.ctx, hostA, "WDJBMJHT")
		e.must(err)
		if got.ID != "dc2" {
			t.Errorf("GetByUserCode = %s, want dc2", got.ID)
		}
	})
}

// testDevicePoll covers DeviceCodeStore.Poll: the first poll, a poll within the interval (slow_down raises the
// interval, persisted), one within the jitter allowance, and that polling never overwrites an approval.
func testDevicePoll(t *testing.T, open Opener) {
	e := newEnv(t, open)
	d := e.newDeviceCode(hostA, "dc1", "WDJBMJHT")
	e.must(e.s.DeviceCodes().Put(e.ctx, d))
	poll := func(name string, wantEarly bool, wantInterval int) {
		t.Helper()
		got, early, err := e.s.DeviceCodes().Poll(e.ctx, hostA, "dc1", e.now(), time.Second, 5)
		e.must(err)
		if early != wantEarly || got.Interval != wantInterval || !got.LastPollAt.Equal(e.now()) {
			t.Errorf("%s: early %v interval %d last %v; want %v %d %v", name, early, got.Interval, got.LastPollAt,
				wantEarly, wantInterval, e.now())
		}
		stored, err := e.s.DeviceCodes().Get(e.ctx, hostA, "dc1")
		e.must(err)
		if stored.Interval != wantInterval || !stored.LastPollAt.Equal(e.now()) {
			t.Errorf("%s: stored interval %d last %v", name, stored.Interval, stored.LastPollAt)
		}
	}
	poll("first poll", false, 5)
	e.clock.Advance(2 * time.Second)
	poll("too early", true, 10)
	e.clock.Advance(9 * time.Second) // within 1 s of the raised interval
	poll("within the jitter", false, 10)
	e.clock.Advance(10 * time.Second)
	poll("on time", false, 10)

	// An approval is never overwritten by a poll: the poll sees it and writes nothing.
	d, err := e.s.DeviceCodes().Get(e.ctx, hostA, "dc1")
	e.must(err)
	d.Status, d.UserID, d.GrantID = "approved", "u1", "g1"
	e.must(e.s.DeviceCodes().Update(e.ctx, d))
	e.clock.Advance(time.Second)
	got, early, err := e.s.DeviceCodes().Poll(e.ctx, hostA, "dc1", e.now(), time.Second, 5)
	e.must(err)
	if early || got.Status != "approved" || got.LastPollAt.Equal(e.now()) {
		t.Errorf("poll of an approved code: early %v, %+v", early, got)
	}
	_, err = e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1")
	e.must(err)
	_, _, err = e.s.DeviceCodes().Poll(e.ctx, hostA, "dc1", e.now(), time.Second, 5)
	e.is("Poll used", err, store.ErrAlreadyUsed)
	_, _, err = e.s.DeviceCodes().Poll(e.ctx, hostA, "nope", e.now(), time.Second, 5)
	e.is("Poll unknown", err, store.ErrNotFound)
}
