package storetest

import (
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// testInstances covers store.InstanceRegistry, the optional interface of a backend that serving processes share:
// announcements replaced by id, listed while live and in id order, gone after Withdraw or their expiry; and
// DeleteUndeclaredClient, which deletes a config-declared client (revoking its grants) only while no live
// announcement declares it for its host, and never a client made with the CLI.
func testInstances(t *testing.T, open Opener) {
	registry := func(e *env) store.InstanceRegistry {
		r, ok := e.s.(store.InstanceRegistry)
		if !ok {
			t.Skip("the backend has no instance registry (store.InstanceRegistry is optional)")
		}
		return r
	}
	announce := func(e *env, r store.InstanceRegistry, id string, ttl time.Duration, clients map[string][]string) {
		e.t.Helper()
		e.must(r.Announce(e.ctx, &store.Instance{ID: id, StartedAt: e.now(), ExpiresAt: e.now().Add(ttl), Clients: clients}))
	}
	ids := func(e *env, r store.InstanceRegistry) []string {
		e.t.Helper()
		list, err := r.Instances(e.ctx)
		e.must(err)
		var out []string
		for _, inst := range list {
			out = append(out, inst.ID)
		}
		return out
	}
	equal := func(got, want []string) bool {
		if len(got) != len(want) {
			return false
		}
		for i := range got {
			if got[i] != want[i] {
				return false
			}
		}
		return true
	}

	t.Run("Announcements", func(t *testing.T) {
		e := newEnv(t, open)
		r := registry(e)
		announce(e, r, "i2", time.Minute, map[string][]string{hostA: {"x"}})
		announce(e, r, "i1", 30*time.Second, map[string][]string{hostA: {"x", "y"}, hostB: {"z"}})
		if got := ids(e, r); !equal(got, []string{"i1", "i2"}) {
			t.Fatalf("Instances = %v, want [i1 i2]", got)
		}
		list, err := r.Instances(e.ctx)
		e.must(err)
		if !list[0].Declares(hostA, "y") || !list[0].Declares(hostB, "z") || list[0].Declares(hostB, "x") ||
			!list[0].ExpiresAt.Equal(e.now().Add(30*time.Second)) || !list[0].StartedAt.Equal(e.now()) {
			t.Errorf("i1 read back as %+v", list[0])
		}
		// A renewal replaces the declared clients and the expiry.
		announce(e, r, "i1", 90*time.Second, map[string][]string{hostA: {"x"}})
		list, err = r.Instances(e.ctx)
		e.must(err)
		if list[0].Declares(hostA, "y") || list[0].Declares(hostB, "z") || !list[0].Declares(hostA, "x") {
			t.Errorf("i1 after renewal: %+v", list[0])
		}
		// i2 lapses after a minute; i1, renewed for 90 s, is still live.
		e.clock.Advance(time.Minute)
		if got := ids(e, r); !equal(got, []string{"i1"}) {
			t.Fatalf("Instances after a minute = %v, want [i1]", got)
		}
		e.must(r.Withdraw(e.ctx, "i1"))
		e.must(r.Withdraw(e.ctx, "i1"))
		e.must(r.Withdraw(e.ctx, "never-announced"))
		if got := ids(e, r); len(got) != 0 {
			t.Fatalf("Instances after Withdraw = %v, want none", got)
		}
		// An id that lapsed can announce again.
		announce(e, r, "i2", time.Minute, nil)
		if got := ids(e, r); !equal(got, []string{"i2"}) {
			t.Fatalf("Instances after announcing a lapsed id again = %v, want [i2]", got)
		}
	})

	t.Run("DeleteUndeclaredClient", func(t *testing.T) {
		e := newEnv(t, open)
		r := registry(e)
		x, cli := newClient(hostA, "x"), newClient(hostA, "cli")
		x.FromConfig = true
		e.must(e.s.Clients().Put(e.ctx, x))
		e.must(e.s.Clients().Create(e.ctx, cli))
		g := e.newChain(hostA, "g1", "u1", "x")
		// The same id declared on the other host does not keep host A's client.
		announce(e, r, "other-host", time.Hour, map[string][]string{hostB: {"x"}})
		announce(e, r, "i1", 30*time.Second, map[string][]string{hostA: {"x"}})

		deleted, err := r.DeleteUndeclaredClient(e.ctx, hostA, "x")
		e.must(err)
		if deleted {
			t.Fatal("deleted a client that a live instance declares")
		}
		_, err = e.s.Clients().Get(e.ctx, hostA, "x")
		e.is("declared client", err, nil)
		e.is("token of the declared client", e.tokenErr(hostA, g.refresh.ID), nil)

		deleted, err = r.DeleteUndeclaredClient(e.ctx, hostA, "cli")
		e.must(err)
		if deleted {
			t.Fatal("deleted a client made with the CLI")
		}
		_, err = e.s.Clients().Get(e.ctx, hostA, "cli")
		e.is("CLI client", err, nil)
		_, err = r.DeleteUndeclaredClient(e.ctx, hostA, "unknown")
		e.is("DeleteUndeclaredClient of an unknown client", err, store.ErrNotFound)

		// Once the only instance declaring it has lapsed, it goes, and its token chains with it.
		e.clock.Advance(time.Minute)
		deleted, err = r.DeleteUndeclaredClient(e.ctx, hostA, "x")
		e.must(err)
		if !deleted {
			t.Fatal("a client no live instance declares was kept")
		}
		_, err = e.s.Clients().Get(e.ctx, hostA, "x")
		e.is("Get after DeleteUndeclaredClient", err, store.ErrNotFound)
		e.is("token of the deleted client", e.tokenErr(hostA, g.refresh.ID), store.ErrRevoked)
		_, err = r.DeleteUndeclaredClient(e.ctx, hostA, "x")
		e.is("DeleteUndeclaredClient again", err, store.ErrNotFound)

		// A withdrawn announcement keeps nothing either.
		y := newClient(hostA, "y")
		y.FromConfig = true
		e.must(e.s.Clients().Put(e.ctx, y))
		announce(e, r, "i3", time.Hour, map[string][]string{hostA: {"y"}})
		if deleted, err := r.DeleteUndeclaredClient(e.ctx, hostA, "y"); err != nil || deleted {
			t.Fatalf("y declared by i3: deleted %v, %v", deleted, err)
		}
		e.must(r.Withdraw(e.ctx, "i3"))
		if deleted, err := r.DeleteUndeclaredClient(e.ctx, hostA, "y"); err != nil || !deleted {
			t.Fatalf("y after i3 withdrew: deleted %v, %v", deleted, err)
		}
	})

	t.Run("Closed", func(t *testing.T) {
		e := newEnv(t, open)
		r := registry(e)
		e.must(e.s.Close())
		e.is("Announce after Close", r.Announce(e.ctx, &store.Instance{ID: "i", ExpiresAt: e.now().Add(time.Minute)}), store.ErrClosed)
		_, err := r.Instances(e.ctx)
		e.is("Instances after Close", err, store.ErrClosed)
		e.is("Withdraw after Close", r.Withdraw(e.ctx, "i"), store.ErrClosed)
		_, err = r.DeleteUndeclaredClient(e.ctx, hostA, "x")
		e.is("DeleteUndeclaredClient after Close", err, store.ErrClosed)
	})
}
