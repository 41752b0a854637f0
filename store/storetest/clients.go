package storetest

import (
	"testing"

	"github.com/assentry/assentry/store"
)

// testClients covers ClientStore: Create's ErrConflict, Put as create-or-replace, Update's ErrNotFound, List's
// order, and Delete revoking the client's grants (and no other client's).
func testClients(t *testing.T, open Opener) {
	t.Run("CRUD", func(t *testing.T) {
		e := newEnv(t, open)
		c := newClient(hostA, "c1")
		e.must(e.s.Clients().Create(e.ctx, c))
		got, err := e.s.Clients().Get(e.ctx, hostA, "c1")
		e.must(err)
		same(t, "Get", got, c)
		e.is("Create again", e.s.Clients().Create(e.ctx, newClient(hostA, "c1")), store.ErrConflict)

		c.Name, c.RedirectURIs = "Renamed", []string{"https://c1.example.org/other"}
		e.must(e.s.Clients().Update(e.ctx, c))
		got, err = e.s.Clients().Get(e.ctx, hostA, "c1")
		e.must(err)
		same(t, "Get after Update", got, c)

		c.FromConfig, c.SecretHash, c.SecretFromEnv = true, "", "C1_SECRET"
		e.must(e.s.Clients().Put(e.ctx, c))
		got, err = e.s.Clients().Get(e.ctx, hostA, "c1")
		e.must(err)
		same(t, "Get after Put (replace)", got, c)

		c2 := newClient(hostA, "c2")
		e.must(e.s.Clients().Put(e.ctx, c2))
		got, err = e.s.Clients().Get(e.ctx, hostA, "c2")
		e.must(err)
		same(t, "Get after Put (create)", got, c2)

		e.is("Update unknown", e.s.Clients().Update(e.ctx, newClient(hostA, "c3")), store.ErrNotFound)
		_, err = e.s.Clients().Get(e.ctx, hostA, "c3")
		e.is("Get unknown", err, store.ErrNotFound)
		e.must(e.s.Clients().Delete(e.ctx, hostA, "c1"))
		_, err = e.s.Clients().Get(e.ctx, hostA, "c1")
		e.is("Get after Delete", err, store.ErrNotFound)
		e.is("Delete again", e.s.Clients().Delete(e.ctx, hostA, "c1"), store.ErrNotFound)
	})

	t.Run("List", func(t *testing.T) {
		e := newEnv(t, open)
		for _, c := range []*store.Client{newClient(hostA, "c"), newClient(hostA, "a"), newClient(hostA, "b"), newClient(hostB, "0")} {
			e.must(e.s.Clients().Create(e.ctx, c))
		}
		got, err := e.s.Clients().List(e.ctx, hostA)
		e.must(err)
		want := []string{"a", "b", "c"}
		if len(got) != len(want) {
			t.Fatalf("List returned %d clients, want %v", len(got), want)
		}
		for i, c := range got {
			if c.ID != want[i] {
				t.Errorf("List[%d] = %s, want %s", i, c.ID, want[i])
			}
		}
	})

	t.Run("DeleteRevokesGrants", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Clients().Create(e.ctx, newClient(hostA, "c1")))
		e.must(e.s.Clients().Create(e.ctx, newClient(hostA, "c2")))
		g1, g2 := e.newChain(hostA, "g1", "u1", "c1"), e.newChain(hostA, "g2", "u2", "c1")
		g3 := e.newChain(hostA, "g3", "u1", "c2")

		e.must(e.s.Clients().Delete(e.ctx, hostA, "c1"))

		for _, c := range []chain{g1, g2} {
			g, err := e.s.Grants().Get(e.ctx, hostA, c.grant.ID)
			e.must(err)
			if !g.Revoked {
				t.Errorf("grant %s of the deleted client not revoked", g.ID)
			}
			e.is("token of the deleted client", e.tokenErr(hostA, c.refresh.ID), store.ErrRevoked)
		}
		e.is("token of another client", e.tokenErr(hostA, g3.refresh.ID), nil)
	})
}
