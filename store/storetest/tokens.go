package storetest

import (
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// testTokens covers TokenStore: Put needs a live grant and extends its expiry, expiry of each kind, Revoke of
// one token, Rotate (old token marked used and returned, reuse detected with nothing stored) and family
// revocation after a reuse.
func testTokens(t *testing.T, open Opener) {
	t.Run("PutGet", func(t *testing.T) {
		e := newEnv(t, open)
		c := e.newChain(hostA, "g1", "u1", "c1")
		for _, k := range []*store.Token{c.access, c.refresh} {
			got, err := e.s.Tokens().Get(e.ctx, hostA, k.ID)
			e.must(err)
			same(t, "Get "+k.ID, got, k)
		}
		_, err := e.s.Tokens().Get(e.ctx, hostA, "nope")
		e.is("Get unknown", err, store.ErrNotFound)
	})

	t.Run("PutWithoutGrant", func(t *testing.T) {
		e := newEnv(t, open)
		g := e.newGrant(hostA, "g1", "u1", "c1") // never created
		e.is("Put", e.s.Tokens().Put(e.ctx, e.newToken(g, "at", store.AccessToken)), store.ErrNotFound)
		_, err := e.s.Tokens().Get(e.ctx, hostA, "at")
		e.is("Get", err, store.ErrNotFound)
	})

	t.Run("PutExtendsGrant", func(t *testing.T) {
		e := newEnv(t, open)
		c := e.newChain(hostA, "g1", "u1", "c1") // the grant expired with the code; the refresh token extends it
		g, err := e.s.Grants().Get(e.ctx, hostA, "g1")
		e.must(err)
		coversToken(t, g, c.refresh)
		e.clock.Advance(refreshTTL - time.Second)
		e.is("refresh token just before its expiry", e.tokenErr(hostA, c.refresh.ID), nil)
	})

	t.Run("Expiry", func(t *testing.T) {
		tests := []struct {
			name        string
			advance     time.Duration
			wantAccess  error
			wantRefresh error
		}{
			{"fresh", 0, nil, nil},
			{"access at ExpiresAt", accessTTL, store.ErrNotFound, nil},
			{"refresh at ExpiresAt", refreshTTL, store.ErrNotFound, store.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, open)
				c := e.newChain(hostA, "g1", "u1", "c1")
				e.clock.Advance(tt.advance)
				e.is("Get access", e.tokenErr(hostA, c.access.ID), tt.wantAccess)
				e.is("Get refresh", e.tokenErr(hostA, c.refresh.ID), tt.wantRefresh)
				e.is("Revoke access", e.s.Tokens().Revoke(e.ctx, hostA, c.access.ID), tt.wantAccess)
				_, err := e.s.Tokens().Rotate(e.ctx, hostA, c.refresh.ID)
				e.is("Rotate refresh", err, tt.wantRefresh)
			})
		}
	})

	t.Run("Revoke", func(t *testing.T) {
		e := newEnv(t, open)
		c := e.newChain(hostA, "g1", "u1", "c1")
		e.must(e.s.Tokens().Revoke(e.ctx, hostA, c.access.ID))
		got, err := e.s.Tokens().Get(e.ctx, hostA, c.access.ID)
		e.is("Get revoked", err, store.ErrRevoked)
		if got == nil || got.ID != c.access.ID || !got.Revoked {
			t.Errorf("Get revoked returned %+v, want the token marked Revoked", got)
		}
		e.is("Revoke again", e.s.Tokens().Revoke(e.ctx, hostA, c.access.ID), nil)
		e.is("Revoke unknown", e.s.Tokens().Revoke(e.ctx, hostA, "nope"), store.ErrNotFound)
		e.is("sibling refresh token", e.tokenErr(hostA, c.refresh.ID), nil)
		g, err := e.s.Grants().Get(e.ctx, hostA, "g1")
		e.must(err)
		if g.Revoked {
			t.Error("revoking one token revoked its grant")
		}
		e.must(e.s.Tokens().Revoke(e.ctx, hostA, c.refresh.ID))
		_, err = e.s.Tokens().Rotate(e.ctx, hostA, c.refresh.ID, e.newToken(c.grant, "rt2", store.RefreshToken))
		e.is("Rotate revoked", err, store.ErrRevoked)
		e.is("token from a refused rotation", e.tokenErr(hostA, "rt2"), store.ErrNotFound)
	})

	t.Run("Rotate", func(t *testing.T) {
		e := newEnv(t, open)
		c := e.newChain(hostA, "g1", "u1", "c1")
		e.clock.Advance(time.Hour)
		at2, rt2 := e.newToken(c.grant, "at2", store.AccessToken), e.newToken(c.grant, "rt2", store.RefreshToken)
		old, err := e.s.Tokens().Rotate(e.ctx, hostA, c.refresh.ID, at2, rt2)
		e.must(err)
		if old == nil || old.ID != c.refresh.ID || !old.UsedAt.Equal(e.now()) {
			t.Errorf("Rotate returned %+v, want the old token with UsedAt %v", old, e.now())
		}
		got, err := e.s.Tokens().Get(e.ctx, hostA, c.refresh.ID)
		e.is("Get rotated", err, store.ErrAlreadyUsed)
		if got == nil || got.ID != c.refresh.ID {
			t.Errorf("Get rotated returned %v, want the token", got)
		}
		for _, k := range []*store.Token{at2, rt2} {
			got, err := e.s.Tokens().Get(e.ctx, hostA, k.ID)
			e.must(err)
			same(t, "Get "+k.ID, got, k)
		}
		g, err := e.s.Grants().Get(e.ctx, hostA, "g1")
		e.must(err)
		coversToken(t, g, rt2)

		old, err = e.s.Tokens().Rotate(e.ctx, hostA, c.refresh.ID, e.newToken(c.grant, "rt3", store.RefreshToken))
		e.is("Rotate again (reuse)", err, store.ErrAlreadyUsed)
		if old == nil || old.ID != c.refresh.ID || old.GrantID != "g1" {
			t.Errorf("reused Rotate returned %+v, want the old token (to revoke its grant)", old)
		}
		e.is("token of the refused rotation", e.tokenErr(hostA, "rt3"), store.ErrNotFound)

		tests := []struct {
			name, id string
			want     error
		}{
			{"unknown", "nope", store.ErrNotFound},
			{"access token", c.access.ID, store.ErrNotFound},
		}
		for _, tt := range tests {
			_, err := e.s.Tokens().Rotate(e.ctx, hostA, tt.id, e.newToken(c.grant, "x-"+tt.id, store.RefreshToken))
			e.is("Rotate "+tt.name, err, tt.want)
		}
	})

	t.Run("FamilyRevocation", func(t *testing.T) {
		e := newEnv(t, open)
		c := e.newChain(hostA, "g1", "u1", "c1")
		at2, rt2 := e.newToken(c.grant, "at2", store.AccessToken), e.newToken(c.grant, "rt2", store.RefreshToken)
		_, err := e.s.Tokens().Rotate(e.ctx, hostA, c.refresh.ID, at2, rt2)
		e.must(err)
		other := e.newChain(hostA, "g2", "u1", "c1")

		// A reuse of the rotated token is detected; the caller revokes the grant, killing the whole chain.
		old, err := e.s.Tokens().Rotate(e.ctx, hostA, c.refresh.ID)
		e.is("reuse", err, store.ErrAlreadyUsed)
		e.must(e.s.Grants().Revoke(e.ctx, hostA, old.GrantID))

		for _, k := range []*store.Token{c.access, c.refresh, at2, rt2} {
			got, err := e.s.Tokens().Get(e.ctx, hostA, k.ID)
			e.is("Get "+k.ID, err, store.ErrRevoked)
			if got == nil || got.ID != k.ID {
				t.Errorf("Get %s returned %v, want the token", k.ID, got)
			}
		}
		_, err = e.s.Tokens().Rotate(e.ctx, hostA, rt2.ID, e.newToken(c.grant, "rt3", store.RefreshToken))
		e.is("Rotate the chain's live refresh token", err, store.ErrRevoked)
		e.is("token of another chain", e.tokenErr(hostA, other.refresh.ID), nil)
	})
}

// coversToken checks that a grant lives at least as long as its token k and at most a day longer (store.Grant
// lets a backend round the expiry up).
func coversToken(t *testing.T, g *store.Grant, k *store.Token) {
	t.Helper()
	if g.ExpiresAt.Before(k.ExpiresAt) || g.ExpiresAt.After(k.ExpiresAt.Add(24*time.Hour)) {
		t.Errorf("grant %s expires at %v, want from its token %s's %v to a day later", g.ID, g.ExpiresAt, k.ID, k.ExpiresAt)
	}
}
