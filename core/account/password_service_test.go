package account

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// The policy guards every way a password is set, and nothing else: a stored password the policy would refuse
// still logs in.
func TestServiceAppliesPasswordPolicy(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	h, err := NewHasher(testParams, 2)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Host: "h1", Users: st.Users(), Hasher: h, Roles: []string{"user"}, DefaultRole: "user",
		FullID: true, Domain: "chat.example", SiteName: "Example Chat"})

	tests := []struct {
		name, user, pw string
		want           PasswordRule
	}{
		{"too short", "bob@chat.example", "a", RuleTooShort},
		{"contains the local part of a full id", "bob@chat.example", "i am bob, hello world", RuleUsername},
		{"contains the site name", "bob@chat.example", "welcome to example chat!", RuleSiteName},
	}
	for _, tt := range tests {
		t.Run("add: "+tt.name, func(t *testing.T) {
			_, err := s.Add(ctx, NewUser{Username: tt.user, Password: tt.pw})
			if pe := (*PasswordError)(nil); !errors.As(err, &pe) || pe.Rule != tt.want {
				t.Fatalf("err = %v, want rule %s", err, tt.want)
			}
			if _, err := s.Lookup(ctx, tt.user); !errors.Is(err, ErrNotFound) {
				t.Fatalf("the refused user was created: %v", err)
			}
		})
	}
	if _, err := s.Add(ctx, NewUser{Username: "bob@chat.example", Password: "purple giraffes eat"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run("passwd: "+tt.name, func(t *testing.T) {
			err := s.SetPassword(ctx, tt.user, tt.pw)
			if pe := (*PasswordError)(nil); !errors.As(err, &pe) || pe.Rule != tt.want {
				t.Fatalf("err = %v, want rule %s", err, tt.want)
			}
			if _, err := s.Authenticate(ctx, tt.user, "purple giraffes eat"); err != nil {
				t.Fatalf("the old password stopped working: %v", err)
			}
		})
	}

	// A user stored before the policy (here: written straight to the store) keeps logging in.
	hash, err := h.Hash(ctx, "pw")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	mustPut(t, st.Users().Create(ctx, &store.User{ID: newID(), Host: "h1", Username: "old", PasswordHash: hash,
		Roles: []string{"user"}, CreatedAt: now, UpdatedAt: now}))
	if _, err := s.Authenticate(ctx, "old@chat.example", "pw"); err != nil {
		t.Fatalf("a short stored password no longer logs in: %v", err)
	}
}
