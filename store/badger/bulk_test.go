package badger

import (
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// TestBulkOutgrowsTransaction revokes and ends more than one Badger transaction can hold: bulk must commit in
// batches and still do everything, counting each record once.
func TestBulkOutgrowsTransaction(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := Open(ctx, Options{InMemory: true, MemTableSize: 1 << 20, Clock: func() time.Time { return now },
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const grants, sessions = 2000, 2000 // above the cap of 1638 entries per transaction
	if s.db.MaxBatchCount() >= grants {
		t.Fatalf("transaction cap %d is not below %d: the test would not exercise batching", s.db.MaxBatchCount(), grants)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Users().Create(ctx, &store.User{ID: "u1", Host: "h", Username: "alice"}))
	grant := func(id, user string) *store.Grant {
		return &store.Grant{ID: id, Host: "h", UserID: user, ClientID: "c1", Scopes: []string{"openid"},
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	// Set up in chunks that fit, through the same helpers as Grants.Create and Sessions.Put.
	for i := 0; i < grants; i += 200 {
		must(s.update(ctx, func(t *txn) error {
			for j := i; j < min(i+200, grants); j++ {
				if err := putGrant(t, grant(fmt.Sprint("g", j), "u1")); err != nil {
					return err
				}
				x := &store.Session{ID: fmt.Sprint("s", j), Host: "h", UserID: "u1", ExpiresAt: now.Add(time.Hour)}
				if err := sessionTable.put(t, x, "h", x.ID); err != nil {
					return err
				}
				if err := t.set(key("h", kindUserSession, "u1", x.ID), []byte(x.ID), x.ExpiresAt); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	must(s.Grants().Create(ctx, grant("other", "u2")))

	n, err := s.Grants().RevokeByUser(ctx, "h", "u1")
	must(err)
	if n != grants {
		t.Errorf("RevokeByUser = %d, want %d", n, grants)
	}
	for _, id := range []string{"g0", fmt.Sprint("g", grants/2), fmt.Sprint("g", grants-1)} {
		g, err := s.Grants().Get(ctx, "h", id)
		must(err)
		if !g.Revoked {
			t.Errorf("grant %s not revoked", id)
		}
	}
	if g, err := s.Grants().Get(ctx, "h", "other"); err != nil || g.Revoked {
		t.Errorf("other user's grant: %+v, %v; want unrevoked", g, err)
	}

	must(s.Users().Delete(ctx, "h", "u1"))
	for _, id := range []string{"s0", fmt.Sprint("s", sessions-1)} {
		if _, err := s.Sessions().Get(ctx, "h", id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session %s of the deleted user: %v, want ErrNotFound", id, err)
		}
	}
	if _, err := s.Users().Get(ctx, "h", "u1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted user: %v, want ErrNotFound", err)
	}
	if n, err := s.Sessions().DeleteByUser(ctx, "h", "u1"); err != nil || n != 0 {
		t.Errorf("DeleteByUser after Delete = %d, %v; want 0", n, err)
	}
}

// TestGCLoopStops runs the GC loop at a tiny interval and closes: Close must stop it (no leak, no race).
func TestGCLoopStops(t *testing.T) {
	s, err := Open(t.Context(), Options{Dir: t.TempDir(), GCInterval: time.Millisecond, MemTableSize: 4 << 20,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	s.collect() // once directly: nothing to rewrite is not an error
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
