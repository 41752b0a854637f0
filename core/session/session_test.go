package session

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	st := badgertest.New(t, c.now)
	now := c.t
	if err := st.Users().Create(ctx, &store.User{ID: "u1", Host: "h", Username: "alice", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	m := NewManager("h", st.Sessions(), st.Users(), time.Hour, c.now)
	cookie, s, err := m.Start(ctx, "u1", []string{"pwd"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(cookie) != 43 || s.ID != HashSecret(cookie) || s.ID == cookie {
		t.Fatalf("cookie %q, stored id %q", cookie, s.ID)
	}
	if _, u, err := m.Lookup(ctx, cookie); err != nil || u.ID != "u1" {
		t.Fatalf("lookup: %v", err)
	}
	if _, _, err := m.Lookup(ctx, "not-a-session"); !errors.Is(err, ErrNoSession) {
		t.Fatalf("unknown cookie: %v", err)
	}
	// Rotation: a new login ends the previous session.
	second, _, err := m.Start(ctx, "u1", nil, cookie)
	if err != nil || second == cookie {
		t.Fatal("no rotation")
	}
	if _, _, err := m.Lookup(ctx, cookie); !errors.Is(err, ErrNoSession) {
		t.Fatalf("old session after rotation: %v", err)
	}
	// Expiry through the injected clock.
	c.t = c.t.Add(time.Hour)
	if _, _, err := m.Lookup(ctx, second); !errors.Is(err, ErrNoSession) {
		t.Fatalf("expired session: %v", err)
	}
}

func TestSessionOfDisabledUserEnds(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	now := time.Now()
	u := &store.User{ID: "u1", Host: "h", Username: "alice", CreatedAt: now, UpdatedAt: now}
	_ = st.Users().Create(ctx, u)
	m := NewManager("h", st.Sessions(), st.Users(), time.Hour, nil)
	cookie, _, _ := m.Start(ctx, "u1", nil, "")
	u.Disabled = true
	if err := st.Users().Update(ctx, u, store.UserUpdate{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Lookup(ctx, cookie); !errors.Is(err, ErrNoSession) {
		t.Fatalf("disabled user's session: %v", err)
	}
}

func TestNoRememberedLogin(t *testing.T) {
	st := badgertest.New(t, nil)
	m := NewManager("h", st.Sessions(), st.Users(), 0, nil)
	cookie, s, err := m.Start(context.Background(), "u1", []string{"pwd"}, "")
	if err != nil || cookie != "" || s.UserID != "u1" {
		t.Fatalf("ttl 0: cookie %q, %v", cookie, err)
	}
}

func TestCSRF(t *testing.T) {
	tok := NewCSRF()
	tests := []struct {
		name, cookie, form string
		want               bool
	}{
		{"match", tok, tok, true},
		{"mismatch", tok, NewCSRF(), false},
		{"no cookie", "", tok, false},
		{"no field", tok, "", false},
		{"both empty", "", "", false},
	}
	for _, tt := range tests {
		if got := CheckCSRF(tt.cookie, tt.form); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
