package storetest

import (
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// newAdminToken is an admin API token named name whose id stands for the digest of its value.
func (e *env) newAdminToken(id, name, scope string, ttl time.Duration) *store.AdminToken {
	v := &store.AdminToken{ID: id, Name: name, Scope: scope, CreatedAt: e.now()}
	if ttl > 0 {
		v.ExpiresAt = e.now().Add(ttl)
	}
	return v
}

// testAdminTokens covers AdminTokenStore: create, get by id, list by name, unique names among live tokens,
// revocation by name, expiry on the injected clock, Touch, durability, no host's data in the way, and ErrClosed.
func testAdminTokens(t *testing.T, open Opener) {
	t.Run("CreateGetListRevoke", func(t *testing.T) {
		e := newEnv(t, open)
		ci := e.newAdminToken("d-ci", "ci", "write", 0)
		mon := e.newAdminToken("d-mon", "monitoring", "read", 90*24*time.Hour)
		e.must(e.s.AdminTokens().Create(e.ctx, mon))
		e.must(e.s.AdminTokens().Create(e.ctx, ci))
		got, err := e.s.AdminTokens().Get(e.ctx, "d-mon")
		e.must(err)
		same(t, "Get", got, mon)
		list, err := e.s.AdminTokens().List(e.ctx)
		e.must(err)
		if len(list) != 2 || list[0].Name != "ci" || list[1].Name != "monitoring" {
			t.Fatalf("List = %+v, want ci then monitoring", list)
		}
		_, err = e.s.AdminTokens().Get(e.ctx, "d-unknown")
		e.is("Get of an unknown id", err, store.ErrNotFound)

		e.must(e.s.AdminTokens().Revoke(e.ctx, "ci"))
		_, err = e.s.AdminTokens().Get(e.ctx, "d-ci")
		e.is("Get after Revoke", err, store.ErrNotFound)
		e.is("Revoke again", e.s.AdminTokens().Revoke(e.ctx, "ci"), store.ErrNotFound)
		e.is("Revoke of an unknown name", e.s.AdminTokens().Revoke(e.ctx, "nobody"), store.ErrNotFound)
		list, err = e.s.AdminTokens().List(e.ctx)
		e.must(err)
		if len(list) != 1 || list[0].Name != "monitoring" {
			t.Fatalf("List after Revoke = %+v", list)
		}
		// A revoked token's name is free again, for a new token (a new value, a new id).
		e.must(e.s.AdminTokens().Create(e.ctx, e.newAdminToken("d-ci2", "ci", "read", 0)))
	})

	t.Run("Conflicts", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.AdminTokens().Create(e.ctx, e.newAdminToken("d1", "ci", "write", 0)))
		e.is("Create with a taken name", e.s.AdminTokens().Create(e.ctx, e.newAdminToken("d2", "ci", "read", 0)), store.ErrConflict)
		e.is("Create with a taken id", e.s.AdminTokens().Create(e.ctx, e.newAdminToken("d1", "other", "read", 0)), store.ErrConflict)
		_, err := e.s.AdminTokens().Get(e.ctx, "d2")
		e.is("Get of the refused token", err, store.ErrNotFound)
	})

	t.Run("Expiry", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.AdminTokens().Create(e.ctx, e.newAdminToken("d1", "short", "write", time.Hour)))
		e.must(e.s.AdminTokens().Create(e.ctx, e.newAdminToken("d2", "forever", "read", 0)))
		e.clock.Advance(time.Hour)
		_, err := e.s.AdminTokens().Get(e.ctx, "d1")
		e.is("Get at expiry", err, store.ErrNotFound)
		e.is("Touch of an expired token", e.s.AdminTokens().Touch(e.ctx, "d1", e.now()), store.ErrNotFound)
		e.is("Revoke of an expired token", e.s.AdminTokens().Revoke(e.ctx, "short"), store.ErrNotFound)
		list, err := e.s.AdminTokens().List(e.ctx)
		e.must(err)
		if len(list) != 1 || list[0].Name != "forever" {
			t.Fatalf("List after expiry = %+v", list)
		}
		// The expired token's name is free.
		e.must(e.s.AdminTokens().Create(e.ctx, e.newAdminToken("d3", "short", "write", time.Hour)))
		e.clock.Advance(100 * 365 * 24 * time.Hour)
		_, err = e.s.AdminTokens().Get(e.ctx, "d2")
		e.is("Get of a token without expiry, a century later", err, nil)
	})

	t.Run("Touch", func(t *testing.T) {
		e := newEnv(t, open)
		v := e.newAdminToken("d1", "ci", "write", 0)
		e.must(e.s.AdminTokens().Create(e.ctx, v))
		later := e.now().Add(time.Minute)
		e.must(e.s.AdminTokens().Touch(e.ctx, "d1", later))
		e.must(e.s.AdminTokens().Touch(e.ctx, "d1", e.now())) // earlier: LastUsedAt never moves back
		got, err := e.s.AdminTokens().Get(e.ctx, "d1")
		e.must(err)
		v.LastUsedAt = later
		same(t, "Get after Touch", got, v)
		e.is("Touch of an unknown token", e.s.AdminTokens().Touch(e.ctx, "d9", later), store.ErrNotFound)
	})

	t.Run("DurableAndApartFromHosts", func(t *testing.T) {
		e := newEnv(t, open)
		e.populate(hostA)
		v := e.newAdminToken("d1", "ci", "write", 0)
		e.must(e.s.AdminTokens().Create(e.ctx, v))
		e.must(e.s.AdminTokens().Create(e.ctx, e.newAdminToken("d2", "gone", "read", 0)))
		e.must(e.s.AdminTokens().Revoke(e.ctx, "gone"))
		e.reopen()
		got, err := e.s.AdminTokens().Get(e.ctx, "d1")
		e.must(err)
		same(t, "Get after reopening", got, v)
		_, err = e.s.AdminTokens().Get(e.ctx, "d2")
		e.is("revoked token after reopening", err, store.ErrNotFound)
		// Host data is untouched by, and invisible to, the server-wide records.
		users, err := e.s.Users().List(e.ctx, hostA)
		e.must(err)
		if len(users) != 1 {
			t.Fatalf("users of %s: %d, want 1", hostA, len(users))
		}
	})

	t.Run("Closed", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Close())
		a := e.s.AdminTokens()
		for name, err := range map[string]error{
			"Create": a.Create(e.ctx, e.newAdminToken("d1", "ci", "write", 0)),
			"Get":    second(a.Get(e.ctx, "d1")),
			"List":   second(a.List(e.ctx)),
			"Revoke": a.Revoke(e.ctx, "ci"),
			"Touch":  a.Touch(e.ctx, "d1", e.now()),
		} {
			e.is("AdminTokens."+name+" after Close", err, store.ErrClosed)
		}
	})
}
