package admin

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// newServerServices is a dispatcher with no host, over real Badger on a settable clock: enough for the
// server-wide operations.
func newServerServices(t *testing.T) (*Services, *testclock.Clock) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	st := badgertest.New(t, clock.Now)
	return &Services{Hosts: map[string]*HostServices{}, AdminTokens: st.AdminTokens(), Now: clock.Now}, clock
}

func TestAdminTokens(t *testing.T) {
	s, clock := newServerServices(t)
	ctx := context.Background()
	var created AdminTokenCreated
	resp := s.Do(ctx, req(t, OpAdminTokenCreate, AdminTokenArgs{Name: "ci", Scope: ScopeWrite, Expires: "90d"}))
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	_ = json.Unmarshal(resp.Result, &created)
	if !strings.HasPrefix(created.Token, AdminTokenPrefix) || len(created.Token) != len(AdminTokenPrefix)+43 ||
		!created.ExpiresAt.Equal(clock.Now().Add(90*24*time.Hour)) {
		t.Fatalf("created: %+v", created)
	}
	// Only the digest is stored: the value is nowhere in the record.
	rec, err := s.AdminTokens.Get(ctx, AdminTokenDigest(created.Token))
	if err != nil || rec.Name != "ci" || strings.Contains(rec.ID, created.Token[len(AdminTokenPrefix):]) {
		t.Fatalf("stored: %+v %v", rec, err)
	}
	tok, err := s.AuthenticateAdminToken(ctx, created.Token)
	if err != nil || tok.Name != "ci" || tok.Scope != ScopeWrite {
		t.Fatalf("authenticate: %+v %v", tok, err)
	}
	for _, bad := range []string{"", "asa_", created.Token + "x", "at_" + created.Token[4:], strings.Repeat("a", 500)} {
		if _, err := s.AuthenticateAdminToken(ctx, bad); !errors.Is(err, ErrBadAdminToken) {
			t.Errorf("authenticate %q: %v", bad, err)
		}
	}
	clock.Advance(90 * 24 * time.Hour)
	if _, err := s.AuthenticateAdminToken(ctx, created.Token); !errors.Is(err, ErrBadAdminToken) {
		t.Fatalf("authenticate after expiry: %v", err)
	}

	tests := []struct {
		name string
		req  Request
		kind string
	}{
		{"bad name", req(t, OpAdminTokenCreate, AdminTokenArgs{Name: "a b", Scope: ScopeRead}), KindInvalid},
		{"no name", req(t, OpAdminTokenCreate, AdminTokenArgs{Scope: ScopeRead}), KindInvalid},
		{"bad scope", req(t, OpAdminTokenCreate, AdminTokenArgs{Name: "x", Scope: "admin"}), KindInvalid},
		{"bad lifetime", req(t, OpAdminTokenCreate, AdminTokenArgs{Name: "x", Scope: ScopeRead, Expires: "-1d"}), KindInvalid},
		{"bad duration", req(t, OpAdminTokenCreate, AdminTokenArgs{Name: "x", Scope: ScopeRead, Expires: "soon"}), KindInvalid},
		{"revoke unknown", req(t, OpAdminTokenRevoke, AdminTokenArgs{Name: "nobody"}), KindNotFound},
	}
	for _, tt := range tests {
		if resp := s.Do(ctx, tt.req); resp.Error == nil || resp.Error.Kind != tt.kind {
			t.Errorf("%s: %+v, want %s", tt.name, resp.Error, tt.kind)
		}
	}

	// The expired token's name is free; a live one's is not.
	if resp := s.Do(ctx, req(t, OpAdminTokenCreate, AdminTokenArgs{Name: "ci", Scope: ScopeRead, Expires: "12h"})); resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if resp := s.Do(ctx, req(t, OpAdminTokenCreate, AdminTokenArgs{Name: "ci", Scope: ScopeRead})); resp.Error == nil || resp.Error.Kind != KindConflict {
		t.Fatalf("a second live ci: %+v", resp.Error)
	}
	var list []AdminTokenView
	_ = json.Unmarshal(s.Do(ctx, req(t, OpAdminTokenList, struct{}{})).Result, &list)
	if len(list) != 1 || list[0].Scope != ScopeRead {
		t.Fatalf("list: %+v", list)
	}
	if resp := s.Do(ctx, req(t, OpAdminTokenRevoke, AdminTokenArgs{Name: "ci"})); resp.Error != nil {
		t.Fatal(resp.Error)
	}
	_ = json.Unmarshal(s.Do(ctx, req(t, OpAdminTokenList, struct{}{})).Result, &list)
	if len(list) != 0 {
		t.Fatalf("list after revoke: %+v", list)
	}
	// Server-wide: a request naming a host that does not exist still reaches them.
	if resp := s.Do(ctx, Request{Op: OpAdminTokenList, Host: "nope"}); resp.Error != nil {
		t.Fatalf("server-wide op with a host: %v", resp.Error)
	}
}

func TestAdminTokensUnavailable(t *testing.T) {
	s, _ := newServerServices(t)
	st := badgertest.New(t, nil)
	s.AdminTokens = st.AdminTokens()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	resp := s.Do(context.Background(), req(t, OpAdminTokenList, struct{}{}))
	if resp.Error == nil || resp.Error.Kind != KindUnavailable {
		t.Fatalf("closed store: %+v", resp.Error)
	}
	if _, err := s.AuthenticateAdminToken(context.Background(), AdminTokenPrefix+strings.Repeat("A", 43)); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("authenticate on a closed store: %v (must not pass for a bad token)", err)
	}
}
