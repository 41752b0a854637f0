package storetest

import (
	"testing"

	"github.com/assentry/assentry/store"
)

// testUsers covers UserStore: create and both lookups, ErrNotFound for unknown ids and names, ErrConflict for a
// taken id or username (per host, exact match), renames that move the username, Update's EndSessions and
// RevokeGrants in the same call, tombstones (id never reused, username freed, sessions ended, grants revoked)
// and List's order.
func testUsers(t *testing.T, open Opener) {
	t.Run("CreateGet", func(t *testing.T) {
		e := newEnv(t, open)
		u := newUser(hostA, "u1", "alice")
		e.must(e.s.Users().Create(e.ctx, u))
		got, err := e.s.Users().Get(e.ctx, hostA, "u1")
		e.must(err)
		same(t, "Get", got, u)
		got, err = e.s.Users().GetByUsername(e.ctx, hostA, "alice")
		e.must(err)
		same(t, "GetByUsername", got, u)
	})

	t.Run("Unknown", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Users().Create(e.ctx, newUser(hostA, "u1", "alice")))
		tests := []struct {
			name string
			call func() error
		}{
			{"Get", func() error { _, err := e.s.Users().Get(e.ctx, hostA, "u2"); return err }},
			{"GetByUsername", func() error { _, err := e.s.Users().GetByUsername(e.ctx, hostA, "bob"); return err }},
			{"Update", func() error { return e.s.Users().Update(e.ctx, newUser(hostA, "u2", "bob"), store.UserUpdate{}) }},
			{"Delete", func() error { return e.s.Users().Delete(e.ctx, hostA, "u2") }},
		}
		for _, tt := range tests {
			e.is(tt.name, tt.call(), store.ErrNotFound)
		}
	})

	t.Run("Conflict", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Users().Create(e.ctx, newUser(hostA, "u1", "alice")))
		tests := []struct {
			name string
			user *store.User
			want error
		}{
			{"same id", newUser(hostA, "u1", "bob"), store.ErrConflict},
			{"same username", newUser(hostA, "u2", "alice"), store.ErrConflict},
			{"username differs in case only", newUser(hostA, "u3", "Alice"), nil}, // normalising is the caller's job
			{"other host", newUser(hostB, "u1", "alice"), nil},
		}
		for _, tt := range tests {
			e.is(tt.name, e.s.Users().Create(e.ctx, tt.user), tt.want)
		}
		e.must(e.s.Users().Create(e.ctx, newUser(hostA, "u4", "bob")))
		bob := newUser(hostA, "u4", "alice")
		e.is("Update to a taken username", e.s.Users().Update(e.ctx, bob, store.UserUpdate{}), store.ErrConflict)
		got, err := e.s.Users().GetByUsername(e.ctx, hostA, "bob")
		e.must(err)
		if got.ID != "u4" {
			t.Errorf("bob is %s after a refused rename, want u4", got.ID)
		}
	})

	t.Run("UpdateRename", func(t *testing.T) {
		e := newEnv(t, open)
		u := newUser(hostA, "u1", "alice")
		e.must(e.s.Users().Create(e.ctx, u))
		v := *u
		v.Username, v.Name, v.Disabled, v.UpdatedAt = "alicia", "Alicia", true, t0.Add(1)
		e.must(e.s.Users().Update(e.ctx, &v, store.UserUpdate{}))
		got, err := e.s.Users().Get(e.ctx, hostA, "u1")
		e.must(err)
		same(t, "Get", got, &v)
		got, err = e.s.Users().GetByUsername(e.ctx, hostA, "alicia")
		e.must(err)
		same(t, "GetByUsername(new)", got, &v)
		_, err = e.s.Users().GetByUsername(e.ctx, hostA, "alice")
		e.is("GetByUsername(old)", err, store.ErrNotFound)
		e.must(e.s.Users().Create(e.ctx, newUser(hostA, "u2", "alice"))) // the old name is free
	})

	t.Run("UpdateEnds", func(t *testing.T) {
		tests := []struct {
			name         string
			opts         store.UserUpdate
			wantSession  error
			wantTokenErr error
		}{
			{"nothing", store.UserUpdate{}, nil, nil},
			{"sessions", store.UserUpdate{EndSessions: true}, store.ErrNotFound, nil},
			{"grants", store.UserUpdate{RevokeGrants: true}, nil, store.ErrRevoked},
			{"both", store.UserUpdate{EndSessions: true, RevokeGrants: true}, store.ErrNotFound, store.ErrRevoked},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, open)
				alice, bob := newUser(hostA, "u1", "alice"), newUser(hostA, "u2", "bob")
				e.must(e.s.Users().Create(e.ctx, alice))
				e.must(e.s.Users().Create(e.ctx, bob))
				e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s1", "u1", sessionTTL)))
				e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s2", "u1", sessionTTL)))
				e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s3", "u2", sessionTTL)))
				a1, a2 := e.newChain(hostA, "g1", "u1", "c1"), e.newChain(hostA, "g2", "u1", "c2")
				b1 := e.newChain(hostA, "g3", "u2", "c1")

				alice.PasswordHash = "changed"
				e.must(e.s.Users().Update(e.ctx, alice, tt.opts))

				for _, id := range []string{"s1", "s2"} {
					_, err := e.s.Sessions().Get(e.ctx, hostA, id)
					e.is("alice's session "+id, err, tt.wantSession)
				}
				for _, k := range []*store.Token{a1.access, a1.refresh, a2.access, a2.refresh} {
					e.is("alice's token "+k.ID, e.tokenErr(hostA, k.ID), tt.wantTokenErr)
				}
				_, err := e.s.Sessions().Get(e.ctx, hostA, "s3")
				e.is("bob's session", err, nil)
				e.is("bob's token", e.tokenErr(hostA, b1.access.ID), nil)
				got, err := e.s.Users().Get(e.ctx, hostA, "u1")
				e.must(err)
				same(t, "updated user", got, alice)
			})
		}
	})

	t.Run("DeleteTombstone", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Users().Create(e.ctx, newUser(hostA, "u1", "alice")))
		e.must(e.s.Users().Create(e.ctx, newUser(hostA, "u2", "bob")))
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s1", "u1", sessionTTL)))
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s2", "u2", sessionTTL)))
		a, b := e.newChain(hostA, "g1", "u1", "c1"), e.newChain(hostA, "g2", "u2", "c1")

		e.must(e.s.Users().Delete(e.ctx, hostA, "u1"))

		_, err := e.s.Users().Get(e.ctx, hostA, "u1")
		e.is("Get(deleted)", err, store.ErrNotFound)
		_, err = e.s.Users().GetByUsername(e.ctx, hostA, "alice")
		e.is("GetByUsername(deleted)", err, store.ErrNotFound)
		_, err = e.s.Sessions().Get(e.ctx, hostA, "s1")
		e.is("session of deleted user", err, store.ErrNotFound)
		e.is("access token of deleted user", e.tokenErr(hostA, a.access.ID), store.ErrRevoked)
		e.is("refresh token of deleted user", e.tokenErr(hostA, a.refresh.ID), store.ErrRevoked)
		g, err := e.s.Grants().Get(e.ctx, hostA, "g1")
		e.must(err)
		if !g.Revoked {
			t.Error("grant of deleted user not revoked")
		}
		e.is("Delete again", e.s.Users().Delete(e.ctx, hostA, "u1"), store.ErrNotFound)
		e.is("Update deleted", e.s.Users().Update(e.ctx, newUser(hostA, "u1", "alice"), store.UserUpdate{}), store.ErrNotFound)
		e.is("Create with the tombstone's id", e.s.Users().Create(e.ctx, newUser(hostA, "u1", "carol")), store.ErrConflict)
		e.is("Create with the freed username", e.s.Users().Create(e.ctx, newUser(hostA, "u3", "alice")), nil)

		_, err = e.s.Sessions().Get(e.ctx, hostA, "s2")
		e.is("bystander's session", err, nil)
		e.is("bystander's token", e.tokenErr(hostA, b.access.ID), nil)
	})

	t.Run("List", func(t *testing.T) {
		e := newEnv(t, open)
		for _, u := range []*store.User{
			newUser(hostA, "u1", "carol"), newUser(hostA, "u2", "alice"), newUser(hostA, "u3", "bob"),
			newUser(hostA, "u4", "dave"), newUser(hostB, "u5", "aaron"),
		} {
			e.must(e.s.Users().Create(e.ctx, u))
		}
		e.must(e.s.Users().Delete(e.ctx, hostA, "u4"))
		got, err := e.s.Users().List(e.ctx, hostA)
		e.must(err)
		want := []string{"alice", "bob", "carol"}
		if len(got) != len(want) {
			t.Fatalf("List returned %d users, want %v", len(got), want)
		}
		for i, u := range got {
			if u.Username != want[i] || u.Host != hostA {
				t.Errorf("List[%d] = %s@%s, want %s@%s", i, u.Username, u.Host, want[i], hostA)
			}
		}
	})
}
