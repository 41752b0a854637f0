package oauth

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// TestSyncConfigInstances: two instances on one store with different configurations, as in a rolling deploy.
// The one that no longer declares a client does not delete it while the other declares it; once the other has
// withdrawn, a prune removes it; RestoreConfig writes back a declared client that is missing.
func TestSyncConfigInstances(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	reg, ok := any(st).(store.InstanceRegistry)
	if !ok {
		t.Fatal("the Badger store has no instance registry")
	}
	grants := []string{GrantAuthorizationCode, GrantRefreshToken}
	a := NewClients("h1", st.Clients(), grants, nil).WithRegistry(reg)
	var seen revokedSink
	b := NewClients("h1", st.Clients(), grants, nil).WithRegistry(reg).WithEvents(&events.Emitter{Sink: &seen})
	x := ConfigClient{Spec: ClientSpec{ID: "x", Name: "X", RedirectURIs: []string{"https://x.example/cb"}}, SecretSHA256: Digest("x")}
	y := ConfigClient{Spec: ClientSpec{ID: "y", Name: "Y", RedirectURIs: []string{"https://y.example/cb"}}, SecretSHA256: Digest("y")}
	announce := func(id string, ids ...string) {
		t.Helper()
		err := reg.Announce(ctx, &store.Instance{ID: id, StartedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour),
			Clients: map[string][]string{"h1": ids}})
		if err != nil {
			t.Fatal(err)
		}
	}
	present := func(id string) bool {
		t.Helper()
		_, err := st.Clients().Get(ctx, "h1", id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}

	announce("A", "x", "y")
	if err := a.SyncConfig(ctx, []ConfigClient{x, y}); err != nil {
		t.Fatal(err)
	}
	announce("B", "x")
	if err := b.SyncConfig(ctx, []ConfigClient{x}); err != nil {
		t.Fatal(err)
	}
	if !present("y") {
		t.Fatal("B's sync deleted y, which A declares")
	}
	if removed, err := b.PruneConfig(ctx, []string{"x"}); err != nil || len(removed) != 0 || !present("y") {
		t.Fatalf("B's prune while A declares y: removed %v, %v", removed, err)
	}
	if err := reg.Withdraw(ctx, "A"); err != nil {
		t.Fatal(err)
	}
	if removed, err := b.PruneConfig(ctx, []string{"x"}); err != nil || !slices.Equal(removed, []string{"y"}) || present("y") {
		t.Fatalf("B's prune once A withdrew: removed %v, %v", removed, err)
	}
	if !present("x") {
		t.Fatal("x, declared by B, was pruned")
	}
	// The prune that deleted y, and only it, is in the audit log.
	if want := []string{"h1 y confidential undeclared"}; !slices.Equal(seen.lines, want) {
		t.Fatalf("client.revoked events %q, want %q", seen.lines, want)
	}

	// A declared client that went missing is written back, once.
	announce("A", "x", "y")
	if created, err := a.RestoreConfig(ctx, []ConfigClient{x, y}); err != nil || !slices.Equal(created, []string{"y"}) {
		t.Fatalf("RestoreConfig: created %v, %v; want [y]", created, err)
	}
	got, err := a.Get(ctx, "y")
	if err != nil || !got.FromConfig || !CheckClientSecret(got.SecretHash, "y") {
		t.Fatalf("restored y: %+v %v", got, err)
	}
	if created, err := a.RestoreConfig(ctx, []ConfigClient{x, y}); err != nil || len(created) != 0 {
		t.Fatalf("RestoreConfig again: created %v, %v; want none", created, err)
	}
}

// revokedSink keeps the client.revoked events it receives as "host client_id client_kind reason".
type revokedSink struct{ lines []string }

func (r *revokedSink) Emit(_ context.Context, e *events.Event) {
	if e.Kind == events.ClientRevoked {
		r.lines = append(r.lines, e.Host+" "+e.ClientID+" "+e.ClientKind+" "+e.Reason)
	}
}
