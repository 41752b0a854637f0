package admin

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

func TestGrantsAndHosts(t *testing.T) {
	st := badgertest.New(t, nil)
	h, err := account.NewHasher(account.Params{Memory: 64, Iterations: 1, Parallelism: 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	acc := account.New(account.Options{Host: "h1", Users: st.Users(), Hasher: h, Roles: []string{"user"}, DefaultRole: "user"})
	s := &Services{Default: "h1", Hosts: map[string]*HostServices{
		"h1": {Info: HostInfo{ID: "h1", Issuer: "https://a.example"}, Accounts: acc, Grants: st.Grants()},
		"h0": {Info: HostInfo{ID: "h0", Issuer: "https://b.example", Hostnames: []string{"b.example"}}},
	}}
	ctx := context.Background()
	var hosts []HostInfo
	_ = json.Unmarshal(s.Do(ctx, req(t, OpHostsList, struct{}{})).Result, &hosts)
	if len(hosts) != 2 || hosts[0].ID != "h0" || hosts[0].Default || !hosts[1].Default || hosts[1].Hostnames == nil {
		t.Fatalf("hosts: %+v", hosts)
	}

	resp := s.Do(ctx, req(t, OpUserAdd, UserArgs{Username: "alice", Password: "correct horse battery"}))
	var alice UserView
	_ = json.Unmarshal(resp.Result, &alice)
	now := time.Now()
	for i, id := range []string{"g1", "g2"} {
		g := &store.Grant{ID: id, Host: "h1", UserID: alice.ID, ClientID: "app", CreatedAt: now.Add(time.Duration(i) * time.Second),
			ExpiresAt: now.Add(time.Hour)}
		tok := &store.Token{ID: id + "-rt", Host: "h1", Kind: store.RefreshToken, GrantID: id, ClientID: "app", UserID: alice.ID,
			IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := st.Grants().Create(ctx, g, tok); err != nil {
			t.Fatal(err)
		}
	}
	var grants []GrantView
	_ = json.Unmarshal(s.Do(ctx, req(t, OpGrantList, GrantArgs{Username: "Alice"})).Result, &grants)
	if len(grants) != 2 || grants[0].ID != "g2" || grants[0].Scopes == nil {
		t.Fatalf("grants: %+v", grants)
	}
	if resp := s.Do(ctx, req(t, OpGrantRevoke, GrantArgs{GrantID: "g1"})); resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if _, err := st.Tokens().Get(ctx, "h1", "g1-rt"); !errors.Is(err, store.ErrRevoked) {
		t.Fatalf("token of a revoked grant: %v", err)
	}
	var n GrantsRevoked
	_ = json.Unmarshal(s.Do(ctx, req(t, OpGrantRevokeUser, GrantArgs{Username: "alice"})).Result, &n)
	if n.GrantsRevoked != 1 {
		t.Fatalf("revoke-user revoked %d, want 1", n.GrantsRevoked)
	}
	tests := []struct {
		name string
		req  Request
		kind string
	}{
		{"unknown grant", req(t, OpGrantRevoke, GrantArgs{GrantID: "nope"}), KindNotFound},
		{"no grant id", req(t, OpGrantRevoke, GrantArgs{}), KindInvalid},
		{"unknown user", req(t, OpGrantList, GrantArgs{Username: "bob"}), KindNotFound},
		{"unknown user, revoke all", req(t, OpGrantRevokeUser, GrantArgs{Username: "bob"}), KindNotFound},
		{"get unknown user", req(t, OpUserGet, UserArgs{Username: "bob"}), KindNotFound},
	}
	for _, tt := range tests {
		if resp := s.Do(ctx, tt.req); resp.Error == nil || resp.Error.Kind != tt.kind {
			t.Errorf("%s: %+v, want %s", tt.name, resp.Error, tt.kind)
		}
	}
	var got UserView
	_ = json.Unmarshal(s.Do(ctx, req(t, OpUserGet, UserArgs{Username: "ALICE"})).Result, &got)
	if got.ID != alice.ID {
		t.Fatalf("user.get: %+v", got)
	}
}
