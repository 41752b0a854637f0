package storetest

import (
	"testing"

	"github.com/assentry/assentry/store"
)

// testDurability writes, closes, reopens the same data set and reads back: records, consumed codes,
// revocations, rotations and tombstones all survive a restart.
func testDurability(t *testing.T, open Opener) {
	e := newEnv(t, open)
	e.populate(hostA)
	alice, err := e.s.Users().Get(e.ctx, hostA, "u1")
	e.must(err)
	e.must(e.s.Users().Create(e.ctx, newUser(hostA, "u2", "bob")))
	e.must(e.s.Users().Delete(e.ctx, hostA, "u2"))
	_, err = e.s.Codes().Consume(e.ctx, hostA, "ac1")
	e.must(err)
	_, err = e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1")
	e.must(err)
	revoked := e.newChain(hostA, "g2", "u1", "c1")
	e.must(e.s.Grants().Revoke(e.ctx, hostA, "g2"))
	rotated := e.newChain(hostA, "g3", "u1", "c1")
	g3 := e.newGrant(hostA, "g3", "u1", "c1")
	next := e.newToken(g3, "g3-rt2", store.RefreshToken)
	_, err = e.s.Tokens().Rotate(e.ctx, hostA, rotated.refresh.ID, next)
	e.must(err)
	e.must(e.s.Tokens().Revoke(e.ctx, hostA, "g1-at"))

	e.reopen()

	got, err := e.s.Users().Get(e.ctx, hostA, "u1")
	e.must(err)
	same(t, "user", got, alice)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"Users.GetByUsername", second(e.s.Users().GetByUsername(e.ctx, hostA, "alice")), nil},
		{"Sessions.Get", second(e.s.Sessions().Get(e.ctx, hostA, "s1")), nil},
		{"Clients.Get", second(e.s.Clients().Get(e.ctx, hostA, "c1")), nil},
		{"Consents.Get", second(e.s.Consents().Get(e.ctx, hostA, "u1", "c1")), nil},
		{"Keys.Get", second(e.s.Keys().Get(e.ctx, hostA, "k1")), nil},
		{"tombstone: Users.Get", second(e.s.Users().Get(e.ctx, hostA, "u2")), store.ErrNotFound},
		{"tombstone: Users.Create same id", e.s.Users().Create(e.ctx, newUser(hostA, "u2", "carol")), store.ErrConflict},
		{"consumed code", second(e.s.Codes().Consume(e.ctx, hostA, "ac1")), store.ErrAlreadyUsed},
		{"consumed device code", second(e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1")), store.ErrAlreadyUsed},
		{"revoked access token", e.tokenErr(hostA, "g1-at"), store.ErrRevoked},
		{"refresh token", e.tokenErr(hostA, "g1-rt"), nil},
		{"revoked grant's token", e.tokenErr(hostA, revoked.refresh.ID), store.ErrRevoked},
		{"rotated refresh token", e.tokenErr(hostA, rotated.refresh.ID), store.ErrAlreadyUsed},
		{"refresh token from the rotation", e.tokenErr(hostA, next.ID), nil},
	}
	for _, tt := range tests {
		e.is(tt.name, tt.err, tt.want)
	}
	g, err := e.s.Grants().Get(e.ctx, hostA, "g2")
	e.must(err)
	if !g.Revoked {
		t.Error("revoked grant is not revoked after reopen")
	}
}

// second returns the error of a (value, error) pair.
func second[T any](_ T, err error) error { return err }
