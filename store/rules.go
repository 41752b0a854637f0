package store

import "time"

// Rules of the store contract that every backend applies the same way; they live here so that a backend cannot
// drift from another.

// GrantDay is the unit a grant's expiry is rounded up to when its tokens extend it: Grant.ExpiresAt may be up to a
// day after its last token's. A backend that rewrote the grant at every rotation to follow its newest token
// exactly would pay a write (and, in an LSM tree, a version of the grant's key) per refresh; rounded up to a day,
// a chain refreshed all day rewrites its grant once a day.
const GrantDay = 24 * time.Hour

// GrantExpiry is the expiry tokens expiring at exp give their grant: exp rounded up to the next whole GrantDay
// (zero: never expires).
func GrantExpiry(exp time.Time) time.Time {
	if exp.IsZero() {
		return exp
	}
	return exp.Truncate(GrantDay).Add(GrantDay)
}

// RecordPoll applies one poll at time at to a pending device code (DeviceCodeStore.Poll): it is early when it
// came less than Interval seconds minus jitter after the previous one, and then Interval grows by slowDown for
// this and every later poll (RFC 8628 §3.5). It returns whether the poll was early.
func (d *DeviceCode) RecordPoll(at time.Time, jitter time.Duration, slowDown int) bool {
	early := !d.LastPollAt.IsZero() && at.Sub(d.LastPollAt) < time.Duration(d.Interval)*time.Second-jitter
	if early {
		d.Interval += slowDown
	}
	d.LastPollAt = at
	return early
}
