package storetest

import (
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// testGrantUse covers Grant.UsedAt: every write of a grant for an issuance records the store's clock in it (a
// grant created with tokens, a code or device code redeemed, Tokens.Put, a rotation that extends the grant), and a
// rotation that leaves the grant's day-rounded expiry where it was does not rewrite the grant, so UsedAt stays: it
// is the last use to within store.GrantDay, at no write of its own.
func testGrantUse(t *testing.T, open Opener) {
	t.Run("Rotation", func(t *testing.T) {
		e := newEnv(t, open)
		g := e.newGrant(hostA, "g1", "u1", "c1")
		e.must(e.s.Grants().Create(e.ctx, g))
		e.usedAt("a grant created without tokens", "g1", time.Time{})

		e.clock.Advance(time.Second)
		issued := e.now()
		rt := e.newToken(g, "rt1", store.RefreshToken)
		e.must(e.s.Tokens().Put(e.ctx, e.newToken(g, "at1", store.AccessToken), rt))
		before := e.usedAt("after Tokens.Put", "g1", issued)

		// Within the day: the new refresh token's expiry rounds up to the grant's, which is not rewritten.
		e.clock.Advance(time.Hour)
		rt2 := e.newToken(g, "rt2", store.RefreshToken)
		_, err := e.s.Tokens().Rotate(e.ctx, hostA, rt.ID, e.newToken(g, "at2", store.AccessToken), rt2)
		e.must(err)
		if got := e.usedAt("after a rotation within the day", "g1", issued); !got.ExpiresAt.Equal(before.ExpiresAt) {
			t.Errorf("a rotation within the day moved the grant's expiry from %v to %v", before.ExpiresAt, got.ExpiresAt)
		}

		// A day later the new refresh token outlives the grant's expiry: the grant is rewritten, with its use.
		e.clock.Advance(store.GrantDay + time.Minute)
		_, err = e.s.Tokens().Rotate(e.ctx, hostA, rt2.ID, e.newToken(g, "at3", store.AccessToken),
			e.newToken(g, "rt3", store.RefreshToken))
		e.must(err)
		e.usedAt("after a rotation a day later", "g1", e.now())

		// A rotation that fails (reuse) records nothing.
		last := e.now()
		e.clock.Advance(store.GrantDay + time.Minute)
		_, err = e.s.Tokens().Rotate(e.ctx, hostA, rt2.ID, e.newToken(g, "rt4", store.RefreshToken))
		e.is("Rotate of a used token", err, store.ErrAlreadyUsed)
		e.usedAt("after a refused rotation", "g1", last)
	})

	t.Run("Issuance", func(t *testing.T) {
		e := newEnv(t, open)
		e.clock.Advance(time.Minute)

		g := e.newGrant(hostA, "g-cc", "", "c1")
		e.must(e.s.Grants().Create(e.ctx, g, e.newToken(g, "cc-at", store.AccessToken)))
		e.usedAt("a grant created with its tokens", "g-cc", e.now())

		g = e.newGrant(hostA, "g-code", "u1", "c1")
		e.must(e.s.Codes().Put(e.ctx, e.newCode(hostA, "ac1", "g-code"), g))
		e.usedAt("a code's grant before the exchange", "g-code", time.Time{})
		e.clock.Advance(time.Second)
		_, err := e.s.Codes().Consume(e.ctx, hostA, "ac1", e.newToken(g, "code-at", store.AccessToken),
			e.newToken(g, "code-rt", store.RefreshToken))
		e.must(err)
		e.usedAt("a code's grant after the exchange", "g-code", e.now())

		d := e.newDeviceCode(hostA, "dc1", "WDJBMJHT")
		e.must(e.s.DeviceCodes().Put(e.ctx, d))
		g = e.newGrant(hostA, "g-dev", "u1", "c1")
		e.must(e.s.Grants().Create(e.ctx, g))
		d.Status, d.UserID, d.GrantID = store.DeviceApproved, "u1", "g-dev"
		e.must(e.s.DeviceCodes().Update(e.ctx, d))
		e.clock.Advance(time.Second)
		_, err = e.s.DeviceCodes().Consume(e.ctx, hostA, "dc1", e.newToken(g, "dev-at", store.AccessToken))
		e.must(err)
		e.usedAt("a device code's grant after the exchange", "g-dev", e.now())

		listed, err := e.s.Grants().ListByUser(e.ctx, hostA, "u1")
		e.must(err)
		if len(listed) != 2 {
			t.Fatalf("ListByUser returned %d grants, want 2", len(listed))
		}
		for _, l := range listed {
			got, err := e.s.Grants().Get(e.ctx, hostA, l.ID)
			e.must(err)
			if l.UsedAt.IsZero() || !l.UsedAt.Equal(got.UsedAt) {
				t.Errorf("ListByUser: grant %s UsedAt = %v, want %v as Get has it", l.ID, l.UsedAt, got.UsedAt)
			}
		}
	})
}

// usedAt fails the test unless grant id of hostA has UsedAt want (zero: never used), and returns the grant.
func (e *env) usedAt(what, id string, want time.Time) *store.Grant {
	e.t.Helper()
	g, err := e.s.Grants().Get(e.ctx, hostA, id)
	e.must(err)
	if !g.UsedAt.Equal(want) {
		e.t.Errorf("%s: UsedAt = %v, want %v", what, g.UsedAt, want)
	}
	return g
}
