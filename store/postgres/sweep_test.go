package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/store"
)

// TestSweep removes expired rows only (sessions, instance announcements and DPoP proof records here), and lets one holder at a time sweep until its lease runs out.
func TestSweep(t *testing.T) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	a, b := twoStores(t, clock.Now)
	ctx, now := t.Context(), clock.Now()
	for id, ttl := range map[string]time.Duration{"short": time.Minute, "long": time.Hour} {
		if err := a.Sessions().Put(ctx, &store.Session{ID: id, Host: "h", UserID: "u", AuthTime: now, CreatedAt: now,
			ExpiresAt: now.Add(ttl)}); err != nil {
			t.Fatal(err)
		}
	}
	// An instance's lapsed announcement (it crashed) is an expired row too.
	for id, ttl := range map[string]time.Duration{"crashed": time.Minute, "running": time.Hour} {
		if err := a.Announce(ctx, &store.Instance{ID: id, StartedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
			t.Fatal(err)
		}
	}
	// DPoP proof records expire with the proof's window and are swept as well.
	for jti, ttl := range map[string]time.Duration{"old": time.Minute, "new": time.Hour} {
		if err := a.DPoPProofs().Record(ctx, "h", jti, now.Add(ttl)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(2 * time.Minute)

	n, held, err := a.Sweep(ctx, "a", time.Minute, 100)
	if err != nil || !held || n != 3 {
		t.Fatalf("Sweep = %d, %v, %v; want 3 rows (a session, an announcement, a proof record) removed under the lease", n, held, err)
	}
	if list, err := a.Instances(ctx); err != nil || len(list) != 1 || list[0].ID != "running" {
		t.Fatalf("Instances after the sweep = %v, %v; want the running one", list, err)
	}
	if err := a.DPoPProofs().Record(ctx, "h", "new", clock.Now().Add(time.Hour)); !errors.Is(err, store.ErrAlreadyUsed) {
		t.Fatalf("the live proof record was swept: %v", err)
	}
	if _, err := a.Sessions().Get(ctx, "h", "long"); err != nil {
		t.Fatalf("the live session was swept: %v", err)
	}
	if _, err := a.Sessions().Get(ctx, "h", "short"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the expired session: %v", err)
	}
	if _, held, err := b.Sweep(ctx, "b", time.Minute, 100); err != nil || held {
		t.Fatalf("a second holder swept during the first one's lease (held %v, %v)", held, err)
	}
	clock.Advance(time.Minute)
	if _, held, err := b.Sweep(ctx, "b", time.Minute, 100); err != nil || !held {
		t.Fatalf("the lease did not pass on when it ran out (held %v, %v)", held, err)
	}
}
