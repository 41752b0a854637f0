package adminapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/store"
)

func TestHostsAndUsers(t *testing.T) {
	e := newEnv(t, envOptions{})
	var hosts []admin.HostInfo
	e.expect(e.call(http.MethodGet, "/v1/hosts", e.read, nil), http.StatusOK, "hosts").json(t, &hosts)
	if len(hosts) != 1 || hosts[0].ID != "main" || hosts[0].Issuer != "http://127.0.0.1:8080" || !hosts[0].Default {
		t.Fatalf("hosts: %+v", hosts)
	}
	e.expect(e.call(http.MethodGet, "/v1/hosts/nope/users", e.read, nil), http.StatusNotFound, "unknown host")

	var u admin.UserView
	e.expect(e.call(http.MethodPost, "/v1/hosts/main/users", e.write,
		map[string]any{"username": "Alice", "password": "hunter2 hunter2 hunter2", "roles": []string{"admin"}, "email": "alice@example.com"}),
		http.StatusCreated, "create").json(t, &u)
	if u.Username != "alice" || u.ID == "" || strings.Join(u.Roles, ",") != "admin" {
		t.Fatalf("created: %+v", u)
	}
	if a := e.call(http.MethodPost, "/v1/hosts/main/users", e.write, map[string]any{"username": "alice", "password": "correct horse battery"}); a.status != http.StatusConflict || a.errorCode() != "conflict" {
		t.Fatalf("duplicate: %d %s", a.status, a.body)
	}
	if a := e.call(http.MethodPost, "/v1/hosts/main/users", e.write, map[string]any{"username": "bob", "password": "correct horse battery", "role": "admin"}); a.status != http.StatusBadRequest || !strings.Contains(string(a.body), `unknown field \"role\"`) {
		t.Fatalf("unknown field: %d %s", a.status, a.body)
	}
	if a := e.call(http.MethodPost, "/v1/hosts/main/users", e.write, `{"username": "bob"`); a.status != http.StatusBadRequest {
		t.Fatalf("broken JSON: %d %s", a.status, a.body)
	}
	if a := e.call(http.MethodPost, "/v1/hosts/main/users", e.write, map[string]any{"username": "carol", "password": "correct horse battery", "roles": []string{"root"}}); a.status != http.StatusBadRequest || a.errorCode() != "invalid" {
		t.Fatalf("unknown role: %d %s", a.status, a.body)
	}

	// NIST SP 800-63B-4 §3.1.1.2: a short password is invalid input, with the rule and the minimum in the message.
	if a := e.call(http.MethodPost, "/v1/hosts/main/users", e.write, map[string]any{"username": "dora", "password": "a"}); a.status != http.StatusBadRequest ||
		a.errorCode() != "invalid" || !strings.Contains(string(a.body), "at least 15 characters") {
		t.Fatalf("short password: %d %s", a.status, a.body)
	}
	if a := e.call(http.MethodPut, "/v1/hosts/main/users/alice/password", e.write, map[string]any{"password": "hunter2"}); a.status != http.StatusBadRequest ||
		a.errorCode() != "invalid" || !strings.Contains(string(a.body), "password refused: it has 7 characters") {
		t.Fatalf("short new password: %d %s", a.status, a.body)
	}
	var got admin.UserView
	e.expect(e.call(http.MethodGet, "/v1/hosts/main/users/ALICE", e.read, nil), http.StatusOK, "get").json(t, &got)
	if got.ID != u.ID || got.Email != "alice@example.com" {
		t.Fatalf("get: %+v", got)
	}
	e.expect(e.call(http.MethodPut, "/v1/hosts/main/users/alice/roles", e.write, map[string]any{"roles": []string{"user", "admin"}}), http.StatusNoContent, "roles")
	e.expect(e.call(http.MethodPut, "/v1/hosts/main/users/alice/groups", e.write, map[string]any{"groups": []string{"staff"}}), http.StatusNoContent, "groups")
	e.expect(e.call(http.MethodPost, "/v1/hosts/main/users/alice/disable", e.write, nil), http.StatusNoContent, "disable")
	e.expect(e.call(http.MethodGet, "/v1/hosts/main/users/alice", e.read, nil), http.StatusOK, "get").json(t, &got)
	if !got.Disabled || strings.Join(got.Roles, ",") != "user,admin" || strings.Join(got.Groups, ",") != "staff" {
		t.Fatalf("after changes: %+v", got)
	}
	e.expect(e.call(http.MethodPost, "/v1/hosts/main/users/alice/enable", e.write, nil), http.StatusNoContent, "enable")
	e.expect(e.call(http.MethodPut, "/v1/hosts/main/users/alice/password", e.write, map[string]any{"password": "a brand new password"}), http.StatusNoContent, "password")
	if _, err := e.host.Accounts.Authenticate(context.Background(), "alice", "a brand new password"); err != nil {
		t.Fatalf("the new password does not authenticate: %v", err)
	}
	// The path names the user; a username in the body cannot redirect the request to another one.
	if a := e.call(http.MethodPut, "/v1/hosts/main/users/alice/password", e.write, map[string]any{"password": "correct horse battery", "username": "bob"}); a.status != http.StatusBadRequest {
		t.Fatalf("username in a password body: %d %s", a.status, a.body)
	}
	e.expect(e.call(http.MethodDelete, "/v1/hosts/main/users/alice", e.write, nil), http.StatusNoContent, "delete")
	if a := e.call(http.MethodGet, "/v1/hosts/main/users/alice", e.read, nil); a.status != http.StatusNotFound || a.errorCode() != "not_found" {
		t.Fatalf("get after delete: %d %s", a.status, a.body)
	}
	e.expect(e.call(http.MethodDelete, "/v1/hosts/main/users/alice", e.write, nil), http.StatusNotFound, "delete again")
}

func TestClientsBansAndKeys(t *testing.T) {
	e := newEnv(t, envOptions{})
	var added admin.ClientResult
	e.expect(e.call(http.MethodPost, "/v1/hosts/main/clients", e.write, map[string]any{"client_id": "web", "client_name": "Web",
		"redirect_uris": []string{"https://app.example.com/cb"}}), http.StatusCreated, "add").json(t, &added)
	if added.ClientID != "web" || len(added.ClientSecret) != 43 || added.Client == nil || added.Client.Name != "Web" {
		t.Fatalf("added: %+v", added)
	}
	var updated admin.ClientResult
	e.expect(e.call(http.MethodPatch, "/v1/hosts/main/clients/web", e.write, map[string]any{"client_name": "Web 2"}),
		http.StatusOK, "update").json(t, &updated)
	if updated.Client.Name != "Web 2" || len(updated.Client.RedirectURIs) != 1 {
		t.Fatalf("updated: %+v", updated.Client)
	}
	var rotated admin.ClientResult
	e.expect(e.call(http.MethodPost, "/v1/hosts/main/clients/web/secret", e.write, nil), http.StatusOK, "rotate").json(t, &rotated)
	if rotated.ClientSecret == "" || rotated.ClientSecret == added.ClientSecret {
		t.Fatalf("rotated: %+v", rotated)
	}
	var clients []admin.ClientView
	e.expect(e.call(http.MethodGet, "/v1/hosts/main/clients", e.read, nil), http.StatusOK, "list").json(t, &clients)
	if len(clients) != 1 || clients[0].ID != "web" {
		t.Fatalf("clients: %+v", clients)
	}
	e.expect(e.call(http.MethodDelete, "/v1/hosts/main/clients/web", e.write, nil), http.StatusNoContent, "delete")
	e.expect(e.call(http.MethodDelete, "/v1/hosts/main/clients/web", e.write, nil), http.StatusNotFound, "delete again")

	// Registration is off on this host: bans are refused with the dispatcher's reason.
	if a := e.call(http.MethodGet, "/v1/hosts/main/client-bans", e.read, nil); a.status != http.StatusBadRequest || !strings.Contains(string(a.body), "registration is off") {
		t.Fatalf("bans without registration: %d %s", a.status, a.body)
	}

	var keys []token.KeyInfo
	e.expect(e.call(http.MethodGet, "/v1/hosts/main/keys", e.read, nil), http.StatusOK, "keys").json(t, &keys)
	if len(keys) != 1 || keys[0].Algorithm != "ES256" {
		t.Fatalf("keys: %+v", keys)
	}
	var next []token.KeyInfo
	e.expect(e.call(http.MethodPost, "/v1/hosts/main/keys/rotate", e.write, map[string]any{"alg": "ES256"}), http.StatusOK, "rotate").json(t, &next)
	if len(next) != 1 || next[0].State != token.StateNext {
		t.Fatalf("rotated: %+v", next)
	}
	if a := e.call(http.MethodPost, "/v1/hosts/main/keys/rotate", e.write, map[string]any{"alg": "HS256"}); a.status != http.StatusBadRequest {
		t.Fatalf("unknown algorithm: %d %s", a.status, a.body)
	}
}

func TestGrants(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	var alice admin.UserView
	e.do(admin.OpUserAdd, admin.UserArgs{Username: "alice", Password: "correct horse battery"}, &alice)
	now := e.clock.Now()
	for i, id := range []string{"g1", "g2", "g3"} {
		g := &store.Grant{ID: id, Host: "main", UserID: alice.ID, ClientID: "app", Scopes: []string{"openid"},
			CreatedAt: now.Add(time.Duration(i) * time.Minute), ExpiresAt: now.Add(time.Hour)}
		tok := &store.Token{ID: id + "-at", Host: "main", Kind: store.AccessToken, GrantID: id, ClientID: "app",
			UserID: alice.ID, Scopes: g.Scopes, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := e.st.Grants().Create(ctx, g, tok); err != nil {
			t.Fatal(err)
		}
	}
	var grants []admin.GrantView
	e.expect(e.call(http.MethodGet, "/v1/hosts/main/users/alice/grants", e.read, nil), http.StatusOK, "list").json(t, &grants)
	if len(grants) != 3 || grants[0].ID != "g3" || grants[2].ID != "g1" || grants[0].ClientID != "app" {
		t.Fatalf("grants (newest first): %+v", grants)
	}
	e.expect(e.call(http.MethodDelete, "/v1/hosts/main/grants/g2", e.write, nil), http.StatusNoContent, "revoke one")
	if _, err := e.st.Tokens().Get(ctx, "main", "g2-at"); !errors.Is(err, store.ErrRevoked) {
		t.Fatalf("token of the revoked grant: %v", err)
	}
	if _, err := e.st.Tokens().Get(ctx, "main", "g1-at"); err != nil {
		t.Fatalf("token of another grant: %v", err)
	}
	e.expect(e.call(http.MethodDelete, "/v1/hosts/main/grants/nope", e.write, nil), http.StatusNotFound, "unknown grant")
	var n admin.GrantsRevoked
	e.expect(e.call(http.MethodDelete, "/v1/hosts/main/users/alice/grants", e.write, nil), http.StatusOK, "revoke all").json(t, &n)
	if n.GrantsRevoked != 2 {
		t.Fatalf("revoked %d, want 2", n.GrantsRevoked)
	}
	e.expect(e.call(http.MethodGet, "/v1/hosts/main/users/alice/grants", e.read, nil), http.StatusOK, "list").json(t, &grants)
	if len(grants) != 0 {
		t.Fatalf("grants after revoking all: %+v", grants)
	}
	e.expect(e.call(http.MethodGet, "/v1/hosts/main/users/nobody/grants", e.read, nil), http.StatusNotFound, "unknown user")
}
