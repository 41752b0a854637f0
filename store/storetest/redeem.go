package storetest

import (
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// testRedeem covers the one-write issuance of every grant: a code or device code consumed together with the
// tokens of its grant, a grant created together with its tokens, and what a refused write leaves behind
// (nothing: the artifact stays unused and no token exists).
func testRedeem(t *testing.T, open Opener) {
	t.Run("CodeGetWritesNothing", func(t *testing.T) {
		e := newEnv(t, open)
		c := e.newCode(hostA, "ac1", "g1")
		e.must(e.s.Codes().Put(e.ctx, c))
		got, err := e.s.Codes().Get(e.ctx, hostA, "ac1")
		e.must(err)
		same(t, "Get", got, c)
		// A request whose binding failed only read the code: it can still be consumed once.
		e.clock.Advance(time.Second)
		_, err = e.s.Codes().Consume(e.ctx, hostA, "ac1")
		e.must(err)
		// A used code comes back whole: the core checks the request against its binding (client, redirect_uri,
		// code_challenge) before it treats the request as a replay and revokes the grant.
		got, err = e.s.Codes().Get(e.ctx, hostA, "ac1")
		e.is("Get used", err, store.ErrAlreadyUsed)
		used := *c
		used.UsedAt = e.now()
		same(t, "Get used", got, &used)
		_, err = e.s.Codes().Get(e.ctx, hostA, "nope")
		e.is("Get unknown", err, store.ErrNotFound)
	})

	t.Run("CodeWithTokens", func(t *testing.T) {
		e := newEnv(t, open)
		g := e.newGrant(hostA, "g1", "u1", "c1")
		e.must(e.s.Grants().Create(e.ctx, g))
		e.must(e.s.Codes().Put(e.ctx, e.newCode(hostA, "ac1", "g1")))
		at, rt := e.newToken(g, "at1", store.AccessToken), e.newToken(g, "rt1", store.RefreshToken)
		_, err := e.s.Codes().Consume(e.ctx, hostA, "ac1", at, rt)
		e.must(err)
		for _, id := range []string{"at1", "rt1"} {
			e.is("token "+id, e.tokenErr(hostA, id), nil)
		}
		// The grant now lives as long as its refresh token.
		got, err := e.s.Grants().Get(e.ctx, hostA, "g1")
		e.must(err)
		coversToken(t, got, rt)
		// A replay stores nothing more.
		_, err = e.s.Codes().Consume(e.ctx, hostA, "ac1", e.newToken(g, "at2", store.AccessToken))
		e.is("Consume again", err, store.ErrAlreadyUsed)
		e.is("token of the replay", e.tokenErr(hostA, "at2"), store.ErrNotFound)
	})

	t.Run("CodeOfRevokedGrant", func(t *testing.T) {
		e := newEnv(t, open)
		g := e.newGrant(hostA, "g1", "u1", "c1")
		e.must(e.s.Grants().Create(e.ctx, g))
		e.must(e.s.Codes().Put(e.ctx, e.newCode(hostA, "ac1", "g1")))
		e.must(e.s.Grants().Revoke(e.ctx, hostA, "g1"))
		_, err := e.s.Codes().Consume(e.ctx, hostA, "ac1", e.newToken(g, "at1", store.AccessToken))
		e.is("Consume", err, store.ErrRevoked)
		e.is("token", e.tokenErr(hostA, "at1"), store.ErrNotFound)
		// Nothing was written: the code is still unused.
		_, err = e.s.Codes().Get(e.ctx, hostA, "ac1")
		e.is("Get", err, nil)
	})

	t.Run("CodeTokensOfAnotherGrant", func(t *testing.T) {
		e := newEnv(t, open)
		g := e.newGrant(hostA, "g1", "u1", "c1")
		other := e.newGrant(hostA, "g2", "u1", "c1")
		e.must(e.s.Grants().Create(e.ctx, g))
		e.must(e.s.Grants().Create(e.ctx, other))
		e.must(e.s.Codes().Put(e.ctx, e.newCode(hostA, "ac1", "g1")))
		if _, err := e.s.Codes().Consume(e.ctx, hostA, "ac1", e.newToken(other, "at1", store.AccessToken)); err == nil {
			t.Fatal("Consume stored a token of another grant")
		}
		_, err := e.s.Codes().Get(e.ctx, hostA, "ac1")
		e.is("Get", err, nil)
	})

	t.Run("DeviceCodeWithTokens", func(t *testing.T) {
		e := newEnv(t, open)
		g := e.newGrant(hostA, "g1", "u1", "c1")
		e.must(e.s.Grants().Create(e.ctx, g))
		d := e.newDeviceCode(hostA, "dc1", "WDJBMJHT")
		e.must(e.s.DeviceCodes().Put(e.ctx, d))
		at := e.newToken(g, "at1", store.AccessToken)

		// Pending: refused, nothing stored.
		_, err := e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1", at)
		e.is("Consume pending", err, store.ErrConflict)
		e.is("token while pending", e.tokenErr(hostA, "at1"), store.ErrNotFound)

		d.Status, d.UserID, d.GrantID = "approved", "u1", "g1"
		e.must(e.s.DeviceCodes().Update(e.ctx, d))
		_, err = e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1", at)
		e.must(err)
		e.is("token", e.tokenErr(hostA, "at1"), nil)
		_, err = e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1", e.newToken(g, "at2", store.AccessToken))
		e.is("Consume again", err, store.ErrAlreadyUsed)
		e.is("token of the replay", e.tokenErr(hostA, "at2"), store.ErrNotFound)
	})

	t.Run("DeviceCodeOfRevokedGrant", func(t *testing.T) {
		e := newEnv(t, open)
		g := e.newGrant(hostA, "g1", "u1", "c1")
		e.must(e.s.Grants().Create(e.ctx, g))
		d := e.newDeviceCode(hostA, "dc1", "WDJBMJHT")
		d.Status, d.UserID, d.GrantID = "approved", "u1", "g1"
		e.must(e.s.DeviceCodes().Put(e.ctx, d))
		e.must(e.s.Grants().Revoke(e.ctx, hostA, "g1"))
		_, err := e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1", e.newToken(g, "at1", store.AccessToken))
		e.is("Consume", err, store.ErrRevoked)
		got, err := e.s.DeviceCodes().Get(e.ctx, hostA, "dc1")
		e.must(err)
		if !got.UsedAt.IsZero() {
			t.Error("a refused redemption consumed the device code")
		}
	})

	t.Run("GrantWithTokens", func(t *testing.T) {
		e := newEnv(t, open)
		g := e.newGrant(hostA, "g1", "", "c1")
		at := e.newToken(g, "at1", store.AccessToken)
		e.must(e.s.Grants().Create(e.ctx, g, at))
		e.is("token", e.tokenErr(hostA, "at1"), nil)
		got, err := e.s.Grants().Get(e.ctx, hostA, "g1")
		e.must(err)
		coversToken(t, got, at)
		// A conflicting grant stores none of its tokens.
		e.is("Create again", e.s.Grants().Create(e.ctx, e.newGrant(hostA, "g1", "", "c1"), e.newToken(g, "at2", store.AccessToken)), store.ErrConflict)
		e.is("token of the conflict", e.tokenErr(hostA, "at2"), store.ErrNotFound)
	})
}

// testCodeWithGrant covers Codes.Put with the code's new grant: both in one write, and a grant id that is taken
// stores neither.
func testCodeWithGrant(t *testing.T, open Opener) {
	e := newEnv(t, open)
	g := e.newGrant(hostA, "g1", "u1", "c1")
	e.must(e.s.Codes().Put(e.ctx, e.newCode(hostA, "ac1", "g1"), g))
	got, err := e.s.Grants().Get(e.ctx, hostA, "g1")
	e.must(err)
	same(t, "grant", got, g)
	_, err = e.s.Codes().Get(e.ctx, hostA, "ac1")
	e.must(err)
	e.is("code with a taken grant id", e.s.Codes().Put(e.ctx, e.newCode(hostA, "ac2", "g1"), e.newGrant(hostA, "g1", "u2", "c1")), store.ErrConflict)
	_, err = e.s.Codes().Get(e.ctx, hostA, "ac2")
	e.is("the refused code", err, store.ErrNotFound)
}
