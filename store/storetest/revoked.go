package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// registeredID is a client id as long as a registered client's (a signed JWT of its metadata): the client →
// grant index must hold ids of kilobytes.
func registeredID(n int) string {
	return "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + strings.Repeat("eyJjbGllbnRfbmFtZSI6IkEifQ", 70) + "." + strings.Repeat(string(rune('a'+n)), 43)
}

// newRevoked is the ban of a registered client; id stands for the digest of its client_id.
func (e *env) newRevoked(host, id string) *store.RevokedClient {
	return &store.RevokedClient{Host: host, ID: id, ClientName: "Registered " + id,
		ClientURI: "https://" + id + ".example.org/", Reason: "abuse", RevokedAt: e.now()}
}

// testRevokedClients covers RevokedClientStore: a ban revokes every grant of the banned client (and no other
// client's) in the same write, Get and List, a second ban keeping the first record, host isolation, durability
// and ErrClosed.
func testRevokedClients(t *testing.T, open Opener) {
	t.Run("AddRevokesGrants", func(t *testing.T) {
		e := newEnv(t, open)
		banned, other := registeredID(0), registeredID(1)
		g1, g2 := e.newChain(hostA, "g1", "u1", banned), e.newChain(hostA, "g2", "u2", banned)
		g3 := e.newChain(hostA, "g3", "u1", other)
		g4 := e.newChain(hostB, "g4", "u1", banned) // the same id on another host is another client

		r := e.newRevoked(hostA, "d1")
		n, added, err := e.s.RevokedClients().Add(e.ctx, r, banned)
		e.must(err)
		if n != 2 || !added {
			t.Errorf("Add revoked %d grants, added %v; want 2, true", n, added)
		}
		for _, c := range []chain{g1, g2} {
			e.is("token of the banned client", e.tokenErr(hostA, c.refresh.ID), store.ErrRevoked)
			e.is("access token of the banned client", e.tokenErr(hostA, c.access.ID), store.ErrRevoked)
		}
		e.is("token of another client", e.tokenErr(hostA, g3.refresh.ID), nil)
		e.is("token on another host", e.tokenErr(hostB, g4.refresh.ID), nil)

		got, err := e.s.RevokedClients().Get(e.ctx, hostA, "d1")
		e.must(err)
		same(t, "Get", got, r)
		_, err = e.s.RevokedClients().Get(e.ctx, hostA, "d2")
		e.is("Get of a client not banned", err, store.ErrNotFound)
		_, err = e.s.RevokedClients().Get(e.ctx, hostB, "d1")
		e.is("Get on another host", err, store.ErrNotFound)
	})

	t.Run("AddAgain", func(t *testing.T) {
		e := newEnv(t, open)
		id := registeredID(2)
		first := e.newRevoked(hostA, "d1")
		_, added, err := e.s.RevokedClients().Add(e.ctx, first, id)
		e.must(err)
		if !added {
			t.Error("the first Add reports the ban as not new")
		}
		// A grant that slipped in after the ban (a request racing the ban) is revoked by banning again.
		late := e.newChain(hostA, "g9", "u1", id)
		e.clock.Advance(time.Minute)
		again := e.newRevoked(hostA, "d1")
		again.Reason = "changed my mind"
		n, added, err := e.s.RevokedClients().Add(e.ctx, again, id)
		e.must(err)
		if n != 1 || added {
			t.Errorf("second Add revoked %d grants, added %v; want 1, false (the first ban stays)", n, added)
		}
		e.is("late token", e.tokenErr(hostA, late.refresh.ID), store.ErrRevoked)
		got, err := e.s.RevokedClients().Get(e.ctx, hostA, "d1")
		e.must(err)
		same(t, "Get after a second Add (the first record stays)", got, first)
		// Nothing left to revoke, and no clock makes a ban expire.
		e.clock.Advance(100 * 365 * 24 * time.Hour)
		n, added, err = e.s.RevokedClients().Add(e.ctx, again, id)
		e.must(err)
		if n != 0 || added {
			t.Errorf("third Add revoked %d grants, added %v; want 0, false", n, added)
		}
		_, err = e.s.RevokedClients().Get(e.ctx, hostA, "d1")
		e.is("Get a century later", err, nil)
	})

	t.Run("List", func(t *testing.T) {
		e := newEnv(t, open)
		for i, id := range []string{"d3", "d1", "d2"} {
			_, _, err := e.s.RevokedClients().Add(e.ctx, e.newRevoked(hostA, id), registeredID(i))
			e.must(err)
			e.clock.Advance(time.Second)
		}
		_, _, err := e.s.RevokedClients().Add(e.ctx, e.newRevoked(hostB, "d0"), registeredID(0))
		e.must(err)
		got, err := e.s.RevokedClients().List(e.ctx, hostA)
		e.must(err)
		want := []string{"d3", "d1", "d2"} // oldest first
		if len(got) != len(want) {
			t.Fatalf("List returned %d bans, want %v", len(got), want)
		}
		for i, r := range got {
			if r.ID != want[i] {
				t.Errorf("List[%d] = %s, want %s", i, r.ID, want[i])
			}
		}
		empty, err := e.s.RevokedClients().List(e.ctx, "host-c")
		e.must(err)
		if len(empty) != 0 {
			t.Errorf("List of a host without bans: %d", len(empty))
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		e := newEnv(t, open)
		if _, _, err := e.s.RevokedClients().Add(e.ctx, e.newRevoked(hostA, ""), registeredID(0)); err == nil {
			t.Error("Add without an id succeeded")
		}
		if _, _, err := e.s.RevokedClients().Add(e.ctx, e.newRevoked(hostA, "d1"), ""); err == nil {
			t.Error("Add without the client id succeeded")
		}
	})

	t.Run("Durable", func(t *testing.T) {
		e := newEnv(t, open)
		id := registeredID(3)
		c := e.newChain(hostA, "g1", "u1", id)
		r := e.newRevoked(hostA, "d1")
		_, _, err := e.s.RevokedClients().Add(e.ctx, r, id)
		e.must(err)
		e.reopen()
		got, err := e.s.RevokedClients().Get(e.ctx, hostA, "d1")
		e.must(err)
		same(t, "Get after reopening", got, r)
		e.is("token after reopening", e.tokenErr(hostA, c.refresh.ID), store.ErrRevoked)
	})

	t.Run("Closed", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Close())
		_, _, err := e.s.RevokedClients().Add(e.ctx, e.newRevoked(hostA, "d1"), registeredID(0))
		e.is("RevokedClients.Add", err, store.ErrClosed)
		_, err = e.s.RevokedClients().Get(e.ctx, hostA, "d1")
		e.is("RevokedClients.Get", err, store.ErrClosed)
		_, err = e.s.RevokedClients().List(e.ctx, hostA)
		e.is("RevokedClients.List", err, store.ErrClosed)
	})
}
