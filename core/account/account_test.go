package account

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

func newService(t *testing.T, st store.Store, params Params) *Service {
	t.Helper()
	h, err := NewHasher(params, 2)
	if err != nil {
		t.Fatal(err)
	}
	return New(Options{Host: "h1", Users: st.Users(), Hasher: h, Roles: []string{"user", "admin"}, DefaultRole: "user", Domain: "example.com"})
}

func TestAddAndAuthenticate(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	s := newService(t, st, testParams)
	u, err := s.Add(ctx, NewUser{Username: "Alice", Password: "s3cret lantern 42", Email: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "alice" || len(u.ID) != 32 || len(u.Roles) != 1 || u.Roles[0] != "user" {
		t.Fatalf("unexpected user %+v", u)
	}
	if _, err := s.Add(ctx, NewUser{Username: "ALICE", Password: "another good passphrase"}); !errors.Is(err, ErrExists) {
		t.Fatalf("case-folded duplicate: err = %v, want ErrExists", err)
	}
	if _, err := s.Add(ctx, NewUser{Username: "bob", Password: "another good passphrase", Roles: []string{"root"}}); err == nil {
		t.Fatal("a role outside the catalogue was accepted")
	}
	if _, err := s.Add(ctx, NewUser{Username: "bob", Password: ""}); err == nil {
		t.Fatal("an empty password was accepted")
	}

	tests := []struct {
		name, user, pw string
		want           error
	}{
		{"right", "alice", "s3cret lantern 42", nil},
		{"right, other case", "Alice", "s3cret lantern 42", nil},
		{"wrong password", "alice", "S3cret lantern 42", ErrWrongPassword},
		{"unknown user", "mallory", "s3cret lantern 42", ErrUnknownUser},
		{"invalid username", "a b", "s3cret lantern 42", ErrUnknownUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Authenticate(ctx, tt.user, tt.pw)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			// The audit log's distinction must not split the one error callers answer with.
			if tt.want != nil && !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("err = %v does not match ErrInvalidCredentials", err)
			}
			if tt.want == nil && got.ID != u.ID {
				t.Fatalf("authenticated %s, want %s", got.ID, u.ID)
			}
		})
	}
}

func TestDisabledUser(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	s := newService(t, st, testParams)
	u, _ := s.Add(ctx, NewUser{Username: "carol", Password: "purple giraffe 7"})
	now := time.Now()
	mustPut(t, st.Sessions().Put(ctx, &store.Session{ID: "sess1", Host: "h1", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	if err := s.SetDisabled(ctx, "carol", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "carol", "purple giraffe 7"); !errors.Is(err, ErrDisabled) {
		t.Fatalf("disabled user: err = %v, want ErrDisabled", err)
	}
	if _, err := s.Authenticate(ctx, "carol", "wrong"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("disabled user with a wrong password must not learn it is disabled: %v", err)
	}
	if _, err := st.Sessions().Get(ctx, "h1", "sess1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("disabling did not end the session: %v", err)
	}
	if err := s.SetDisabled(ctx, "carol", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "carol", "purple giraffe 7"); err != nil {
		t.Fatalf("re-enabled user: %v", err)
	}
}

func TestPasswordChangeEndsSessionsAndGrants(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	s := newService(t, st, testParams)
	u, _ := s.Add(ctx, NewUser{Username: "dave", Password: "old harbour lights"})
	now := time.Now()
	mustPut(t, st.Sessions().Put(ctx, &store.Session{ID: "s1", Host: "h1", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	mustPut(t, st.Grants().Create(ctx, &store.Grant{ID: "g1", Host: "h1", UserID: u.ID, ClientID: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	mustPut(t, st.Tokens().Put(ctx, &store.Token{ID: "t1", Host: "h1", Kind: store.AccessToken, GrantID: "g1", ClientID: "c", UserID: u.ID, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}))

	if err := s.SetPassword(ctx, "dave", "new harbour lights"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "dave", "old harbour lights"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("old password still works: %v", err)
	}
	if _, err := s.Authenticate(ctx, "dave", "new harbour lights"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if _, err := st.Sessions().Get(ctx, "h1", "s1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session survived a password change: %v", err)
	}
	if _, err := st.Tokens().Get(ctx, "h1", "t1"); !errors.Is(err, store.ErrRevoked) {
		t.Fatalf("token survived a password change: %v", err)
	}
}

func TestDeleteKeepsTombstone(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	s := newService(t, st, testParams)
	u, _ := s.Add(ctx, NewUser{Username: "erin", Password: "purple giraffe 7"})
	if err := s.Delete(ctx, "erin"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, u.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted user still found: %v", err)
	}
	if err := s.Delete(ctx, "erin"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	again, err := s.Add(ctx, NewUser{Username: "erin", Password: "purple giraffe 7"})
	if err != nil {
		t.Fatalf("the username of a deleted user must be free again: %v", err)
	}
	if again.ID == u.ID {
		t.Fatal("a deleted user's id was reused")
	}
	// The tombstone is still there: the old id cannot be created again.
	if err := st.Users().Create(ctx, &store.User{ID: u.ID, Host: "h1", Username: "other"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("re-creating a tombstoned id: %v, want ErrConflict", err)
	}
}

func TestRolesAndGroups(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	s := newService(t, st, testParams)
	_, _ = s.Add(ctx, NewUser{Username: "frank", Password: "purple giraffe 7"})
	if err := s.SetRoles(ctx, "frank", []string{"admin", "user", "admin"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRoles(ctx, "frank", []string{"superuser"}); err == nil {
		t.Fatal("unknown role accepted")
	}
	if err := s.SetGroups(ctx, "frank", []string{"staff"}); err != nil {
		t.Fatal(err)
	}
	u, _ := s.Lookup(ctx, "Frank")
	if len(u.Roles) != 2 || u.Roles[0] != "admin" || len(u.Groups) != 1 || u.Groups[0] != "staff" {
		t.Fatalf("roles/groups = %v / %v", u.Roles, u.Groups)
	}
	if err := s.SetRoles(ctx, "nobody", []string{"user"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestRehashOnLogin(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	weak := newService(t, st, Params{Memory: 32, Iterations: 1, Parallelism: 1})
	_, _ = weak.Add(ctx, NewUser{Username: "gina", Password: "purple giraffe 7"})
	strong := newService(t, st, testParams)
	if _, err := strong.Authenticate(ctx, "gina", "purple giraffe 7"); err != nil {
		t.Fatal(err)
	}
	u, _ := strong.Lookup(ctx, "gina")
	if strong.hasher.NeedsRehash(u.PasswordHash) {
		t.Fatalf("hash not upgraded at login: %s", u.PasswordHash)
	}
}

func mustPut(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestLooksLikeID: the shape newID makes, which a client_id must not have to act for itself under the opaque
// subject format.
func TestLooksLikeID(t *testing.T) {
	for i := range 100 {
		if id := newID(); !LooksLikeID(id) {
			t.Fatalf("newID #%d %q does not look like an id", i, id)
		}
	}
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"0123456789abcdef0123456789abcdef", true},
		{"0123456789ABCDEF0123456789abcdef", true},
		{"0123456789abcdef0123456789abcde", false},
		{"0123456789abcdef0123456789abcdef0", false},
		{"0123456789abcdef0123456789abcdeg", false},
		{"dashboard", false},
		{"", false},
	} {
		if got := LooksLikeID(tt.s); got != tt.want {
			t.Errorf("LooksLikeID(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// TestLimiterKey: one bucket per account however its name is typed; input that does not normalise still gets a
// stable key.
func TestLimiterKey(t *testing.T) {
	s := newService(t, badgertest.New(t, nil), testParams)
	full := New(Options{Host: "h1", FullID: true, Domain: "example.com"})
	for _, tt := range []struct {
		s         *Service
		raw, want string
	}{
		{s, "Alice", "alice"},
		{s, "ALICE", "alice"},
		{s, " Not Valid@x ", "not valid@x"},
		{full, "Alice@Example.com", "alice"},
		{full, "alice", "alice"},
	} {
		if got := tt.s.LimiterKey(tt.raw); got != tt.want {
			t.Errorf("LimiterKey(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
