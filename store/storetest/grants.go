package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// testGrants covers GrantStore: Create's ErrConflict, expiry, Revoke (RevokedAt from the clock, idempotent,
// every token of the chain ErrRevoked, Tokens.Put refused), RevokeByUser's count and reach, and ListByUser
// leaving out revoked and expired grants.
func testGrants(t *testing.T, open Opener) {
	t.Run("CreateGet", func(t *testing.T) {
		e := newEnv(t, open)
		g := e.newGrant(hostA, "g1", "u1", "c1")
		e.must(e.s.Grants().Create(e.ctx, g))
		got, err := e.s.Grants().Get(e.ctx, hostA, "g1")
		e.must(err)
		same(t, "Get", got, g)
		e.is("Create again", e.s.Grants().Create(e.ctx, e.newGrant(hostA, "g1", "u2", "c2")), store.ErrConflict)
		_, err = e.s.Grants().Get(e.ctx, hostA, "g2")
		e.is("Get unknown", err, store.ErrNotFound)

		// A grant without a user (client credentials) is fine too.
		g3 := e.newGrant(hostA, "g3", "", "c1")
		e.must(e.s.Grants().Create(e.ctx, g3))
		got, err = e.s.Grants().Get(e.ctx, hostA, "g3")
		e.must(err)
		same(t, "Get userless grant", got, g3)
	})

	// RFC 8707: a grant keeps the resources granted at authorization (created with its code, or with its tokens)
	// and an access token its audience; both round-trip, and a rotation's new tokens keep theirs.
	t.Run("Resources", func(t *testing.T) {
		e := newEnv(t, open)
		g := e.newGrant(hostA, "g1", "u1", "c1")
		g.Resources = []string{"https://api.example.org/", "urn:example:calendar"}
		code := e.newCode(hostA, "code1", "g1")
		code.Resources = g.Resources
		e.must(e.s.Codes().Put(e.ctx, code, g))
		got, err := e.s.Grants().Get(e.ctx, hostA, "g1")
		e.must(err)
		same(t, "Get of the code's grant", got, g)
		gotCode, err := e.s.Codes().Get(e.ctx, hostA, "code1")
		e.must(err)
		same(t, "Codes.Get", gotCode, code)

		g2 := e.newGrant(hostA, "g2", "", "c1")
		g2.Resources = []string{"https://api.example.org/"}
		at := e.newToken(g2, "at2", store.AccessToken)
		at.Audience = []string{"https://api.example.org/"}
		rt := e.newToken(g2, "rt2", store.RefreshToken)
		e.must(e.s.Grants().Create(e.ctx, g2, at, rt))
		got, err = e.s.Grants().Get(e.ctx, hostA, "g2")
		e.must(err)
		if !slices.Equal(got.Resources, g2.Resources) {
			t.Errorf("Grants.Get: Resources = %q, want %q", got.Resources, g2.Resources)
		}
		tok, err := e.s.Tokens().Get(e.ctx, hostA, "at2")
		e.must(err)
		if !slices.Equal(tok.Audience, at.Audience) {
			t.Errorf("Tokens.Get: Audience = %q, want %q", tok.Audience, at.Audience)
		}
		next := e.newToken(g2, "at3", store.AccessToken)
		next.Audience = []string{"urn:example:calendar"}
		_, err = e.s.Tokens().Rotate(e.ctx, hostA, "rt2", next, e.newToken(g2, "rt3", store.RefreshToken))
		e.must(err)
		tok, err = e.s.Tokens().Get(e.ctx, hostA, "at3")
		e.must(err)
		if !slices.Equal(tok.Audience, next.Audience) {
			t.Errorf("Tokens.Get after Rotate: Audience = %q, want %q", tok.Audience, next.Audience)
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Grants().Create(e.ctx, e.newGrant(hostA, "g1", "u1", "c1")))
		e.clock.Advance(codeTTL - time.Second)
		_, err := e.s.Grants().Get(e.ctx, hostA, "g1")
		e.is("Get before expiry", err, nil)
		e.clock.Advance(time.Second)
		_, err = e.s.Grants().Get(e.ctx, hostA, "g1")
		e.is("Get at expiry", err, store.ErrNotFound)
		e.is("Revoke expired", e.s.Grants().Revoke(e.ctx, hostA, "g1"), store.ErrNotFound)
	})

	t.Run("Revoke", func(t *testing.T) {
		e := newEnv(t, open)
		c, other := e.newChain(hostA, "g1", "u1", "c1"), e.newChain(hostA, "g2", "u1", "c1")
		e.clock.Advance(time.Second)
		revokedAt := e.now()
		e.must(e.s.Grants().Revoke(e.ctx, hostA, "g1"))
		g, err := e.s.Grants().Get(e.ctx, hostA, "g1")
		e.must(err)
		if !g.Revoked || !g.RevokedAt.Equal(revokedAt) {
			t.Errorf("Get after Revoke: Revoked=%v RevokedAt=%v, want true, %v", g.Revoked, g.RevokedAt, revokedAt)
		}
		e.clock.Advance(time.Second)
		e.is("Revoke again", e.s.Grants().Revoke(e.ctx, hostA, "g1"), nil)
		g, err = e.s.Grants().Get(e.ctx, hostA, "g1")
		e.must(err)
		if !g.RevokedAt.Equal(revokedAt) {
			t.Errorf("second Revoke moved RevokedAt to %v", g.RevokedAt)
		}
		e.is("Revoke unknown", e.s.Grants().Revoke(e.ctx, hostA, "nope"), store.ErrNotFound)

		for _, k := range []*store.Token{c.access, c.refresh} {
			got, err := e.s.Tokens().Get(e.ctx, hostA, k.ID)
			e.is("Tokens.Get "+k.ID, err, store.ErrRevoked)
			if got == nil || got.ID != k.ID {
				t.Errorf("Tokens.Get %s of a revoked grant returned %v, want the token", k.ID, got)
			}
		}
		e.is("Tokens.Put on the revoked grant",
			e.s.Tokens().Put(e.ctx, e.newToken(c.grant, "late", store.AccessToken)), store.ErrRevoked)
		_, err = e.s.Tokens().Get(e.ctx, hostA, "late")
		e.is("Tokens.Get of the refused token", err, store.ErrNotFound)
		e.is("token of another grant", e.tokenErr(hostA, other.access.ID), nil)
	})

	t.Run("RevokeByUser", func(t *testing.T) {
		e := newEnv(t, open)
		e.newChain(hostA, "g1", "u1", "c1")
		e.newChain(hostA, "g2", "u1", "c2")
		e.newChain(hostA, "g3", "u1", "c2")
		e.must(e.s.Grants().Revoke(e.ctx, hostA, "g3"))
		bob := e.newChain(hostA, "g4", "u2", "c1")
		e.newChain(hostA, "g5", "u10", "c1") // u1 is not a prefix of u10

		n, err := e.s.Grants().RevokeByUser(e.ctx, hostA, "u1")
		e.must(err)
		if n != 2 {
			t.Errorf("RevokeByUser = %d, want 2 (live, unrevoked grants)", n)
		}
		for _, id := range []string{"g1-at", "g1-rt", "g2-at", "g2-rt", "g3-rt"} {
			e.is("token "+id, e.tokenErr(hostA, id), store.ErrRevoked)
		}
		e.is("other user's token", e.tokenErr(hostA, bob.refresh.ID), nil)
		e.is("u10's token", e.tokenErr(hostA, "g5-rt"), nil)
		n, err = e.s.Grants().RevokeByUser(e.ctx, hostA, "u1")
		e.must(err)
		if n != 0 {
			t.Errorf("RevokeByUser again = %d, want 0", n)
		}
	})

	t.Run("ListByUser", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Grants().Create(e.ctx, e.newGrant(hostA, "expired", "u1", "c1")))
		e.newChain(hostA, "g1", "u1", "c1")
		e.clock.Advance(time.Hour)
		e.newChain(hostA, "g2", "u1", "c2")
		e.newChain(hostA, "revoked", "u1", "c2")
		e.must(e.s.Grants().Revoke(e.ctx, hostA, "revoked"))
		e.newChain(hostA, "g3", "u2", "c1")
		e.newChain(hostA, "g4", "u10", "c1")

		got, err := e.s.Grants().ListByUser(e.ctx, hostA, "u1")
		e.must(err)
		var ids []string
		for _, g := range got {
			ids = append(ids, g.ID)
		}
		slices.Sort(ids)
		if want := []string{"g1", "g2"}; !slices.Equal(ids, want) {
			t.Errorf("ListByUser = %v, want %v", ids, want)
		}
	})
}
