package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// testKeys covers KeyStore: create/put/get/delete and List's filter by use, order (oldest first) and expiry.
func testKeys(t *testing.T, open Opener) {
	t.Run("CRUD", func(t *testing.T) {
		e := newEnv(t, open)
		k := newKey(hostA, "k1", "sig", t0)
		e.must(e.s.Keys().Create(e.ctx, k))
		got, err := e.s.Keys().Get(e.ctx, hostA, "k1")
		e.must(err)
		same(t, "Get", got, k)
		e.is("Create again", e.s.Keys().Create(e.ctx, newKey(hostA, "k1", "sig", t0)), store.ErrConflict)

		k.RetireAt, k.ExpiresAt = t0.Add(30*24*time.Hour), t0.Add(31*24*time.Hour)
		e.must(e.s.Keys().Put(e.ctx, k))
		got, err = e.s.Keys().Get(e.ctx, hostA, "k1")
		e.must(err)
		same(t, "Get after Put", got, k)

		e.must(e.s.Keys().Delete(e.ctx, hostA, "k1"))
		_, err = e.s.Keys().Get(e.ctx, hostA, "k1")
		e.is("Get after Delete", err, store.ErrNotFound)
		e.is("Delete again", e.s.Keys().Delete(e.ctx, hostA, "k1"), store.ErrNotFound)
	})

	t.Run("ListAndExpiry", func(t *testing.T) {
		e := newEnv(t, open)
		old := newKey(hostA, "k-old", "sig", t0.Add(-48*time.Hour))
		old.ExpiresAt = t0.Add(time.Hour)
		for _, k := range []*store.Key{
			newKey(hostA, "k2", "sig", t0.Add(time.Hour)), newKey(hostA, "k1", "sig", t0), old,
			newKey(hostA, "k3", "enc", t0), newKey(hostB, "k4", "sig", t0),
		} {
			e.must(e.s.Keys().Create(e.ctx, k))
		}
		list := func(use string) []string {
			got, err := e.s.Keys().List(e.ctx, hostA, use)
			e.must(err)
			var ids []string
			for _, k := range got {
				ids = append(ids, k.ID)
			}
			return ids
		}
		if got, want := list("sig"), []string{"k-old", "k1", "k2"}; !slices.Equal(got, want) {
			t.Errorf("List(sig) = %v, want %v (oldest first)", got, want)
		}
		e.clock.Advance(time.Hour)
		if got, want := list("sig"), []string{"k1", "k2"}; !slices.Equal(got, want) {
			t.Errorf("List(sig) after k-old expired = %v, want %v", got, want)
		}
		if got, want := list("enc"), []string{"k3"}; !slices.Equal(got, want) {
			t.Errorf("List(enc) = %v, want %v", got, want)
		}
		_, err := e.s.Keys().Get(e.ctx, hostA, "k-old")
		e.is("Get expired", err, store.ErrNotFound)
	})
}
