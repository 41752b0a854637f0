package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// The client credentials and password grants through the real server, with golang.org/x/oauth2 as the client:
// refused by default, served once the host enables them, and the password grant sharing the login page's
// limiters.

// withGrants makes the host serve its default grants plus types, and the scope api, which stands for no user.
// The password grant is built by core/assembly on the host's accounts and login limiters, as serve builds it.
func withGrants(t *testing.T, types ...string) envOption {
	return withConfig(func(c *config.Config) {
		c.GrantTypes = append([]string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken, oauth.GrantDeviceCode}, types...)
		c.Scopes = append(c.Scopes, config.Scope{Name: "api"})
	})
}

// grantClient makes a confidential static client for grants (the host must serve them) and returns its
// secret; it goes through ClientSpec, as `assentry client add --grant-type` does.
func (e *testEnv) grantClient(id string, grants []string, scopes ...string) string {
	e.t.Helper()
	clients := oauth.NewClients("test", e.st.Clients(), e.host.OAuth.GrantTypes(), nil)
	_, secret, err := clients.Create(context.Background(), oauth.ClientSpec{ID: id, Name: id, GrantTypes: grants,
		Scopes: scopes})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// grantTypesSupported reads grant_types_supported from the RFC 8414 metadata.
func grantTypesSupported(t *testing.T, e *testEnv) []string {
	t.Helper()
	var md struct {
		GrantTypes []string `json:"grant_types_supported"`
	}
	if err := json.Unmarshal([]byte(e.browser().get("/.well-known/oauth-authorization-server").body), &md); err != nil {
		t.Fatal(err)
	}
	return md.GrantTypes
}

// TestGrantsOffByDefault: a host that does not enable them answers both grants with unsupported_grant_type, and
// its metadata does not list them.
func TestGrantsOffByDefault(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	e.tkClient("web", "web-secret", oauth.AuthClientSecretBasic, false)
	for _, form := range []url.Values{
		{"grant_type": {"client_credentials"}, "scope": {"api"}},
		{"grant_type": {"password"}, "username": {"alice"}, "password": {"correct horse battery"}},
	} {
		p := e.tkPost("/oauth2/token", "application/x-www-form-urlencoded", form.Encode(), tkBasic("web", "web-secret"))
		if m := jsonOf(t, p); p.status != http.StatusBadRequest || m["error"] != "unsupported_grant_type" {
			t.Fatalf("%s: %d %s", form.Get("grant_type"), p.status, p.body)
		}
	}
	// Basic, stated: auto-detection would retry in the body after the error, and report that attempt's error.
	cfg := clientcredentials.Config{ClientID: "web", ClientSecret: "web-secret", TokenURL: e.base + "/oauth2/token",
		AuthStyle: oauth2.AuthStyleInHeader}
	var re *oauth2.RetrieveError
	if _, err := cfg.Token(context.Background()); !errors.As(err, &re) || re.ErrorCode != "unsupported_grant_type" {
		t.Fatalf("clientcredentials: %v", err)
	}
	if served := grantTypesSupported(t, e); slices.Contains(served, "client_credentials") || slices.Contains(served, "password") {
		t.Fatalf("grant_types_supported %v", served)
	}
}

// TestClientCredentialsEndToEnd: golang.org/x/oauth2/clientcredentials gets a token with the scopes that stand
// for no user; introspection names the client as its subject; userinfo refuses it (it has no user); a client
// whose id could pass for a user's sub is refused.
func TestClientCredentialsEndToEnd(t *testing.T) {
	e := newEnv(t, withGrants(t, oauth.GrantClientCredentials))
	ctx := context.Background()
	secret := e.grantClient("reporting", []string{oauth.GrantClientCredentials}, "api", "openid")
	cfg := clientcredentials.Config{ClientID: "reporting", ClientSecret: secret, TokenURL: e.base + "/oauth2/token",
		Scopes: []string{"api", "openid", "offline_access"}}
	tok, err := cfg.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("scope") != "api" || tok.RefreshToken != "" || tok.Extra("id_token") != nil || tok.TokenType != "Bearer" {
		t.Fatalf("token %+v scope %v", tok, tok.Extra("scope"))
	}
	if served := grantTypesSupported(t, e); !slices.Contains(served, "client_credentials") {
		t.Fatalf("grant_types_supported %v", served)
	}

	p := e.tkPost("/oauth2/introspect", "application/x-www-form-urlencoded", "token="+url.QueryEscape(tok.AccessToken),
		tkBasic("reporting", secret))
	m := jsonOf(t, p)
	if m["active"] != true || m["sub"] != "reporting" || m["sub_type"] != "client" || m["client_id"] != "reporting" {
		t.Fatalf("introspection: %s", p.body)
	}
	if _, ok := m["username"]; ok {
		t.Fatalf("introspection has a username: %s", p.body)
	}

	req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	ui := e.browser().do(req)
	if ui.status != http.StatusUnauthorized || !strings.Contains(ui.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("userinfo: %d %q %s", ui.status, ui.header.Get("WWW-Authenticate"), ui.body)
	}

	// RFC 9700 §4.15: a client_id shaped like a user id (the opaque subject format's sub).
	idShaped := "0123456789abcdef0123456789abcdef"
	s2 := e.grantClient(idShaped, []string{oauth.GrantClientCredentials})
	p = e.tkPost("/oauth2/token", "application/x-www-form-urlencoded", "grant_type=client_credentials", tkBasic(idShaped, s2))
	if m := jsonOf(t, p); p.status != http.StatusBadRequest || m["error"] != "unauthorized_client" {
		t.Fatalf("id-shaped client: %d %s", p.status, p.body)
	}
}

// TestPasswordEndToEnd: oauth2.Config.PasswordCredentialsToken gets a refreshable token without id_token;
// wrong credentials are invalid_grant.
func TestPasswordEndToEnd(t *testing.T) {
	e := newEnv(t, withGrants(t, oauth.GrantPassword))
	e.addUser("alice", "correct horse battery")
	ctx := context.Background()
	secret := e.grantClient("legacy", []string{oauth.GrantPassword, oauth.GrantRefreshToken})
	cfg := &oauth2.Config{ClientID: "legacy", ClientSecret: secret, Scopes: []string{"openid", "offline_access"},
		Endpoint: oauth2.Endpoint{TokenURL: e.base + "/oauth2/token"}}
	tok, err := cfg.PasswordCredentialsToken(ctx, "alice", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("scope") != "openid offline_access" || tok.RefreshToken == "" || tok.Extra("id_token") != nil {
		t.Fatalf("token %+v", tok)
	}
	tok.Expiry = time.Now().Add(-time.Minute)
	if fresh, err := cfg.TokenSource(ctx, tok).Token(); err != nil || fresh.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %v", err)
	}
	for _, c := range [][2]string{{"alice", "wrong"}, {"mallory", "correct horse battery"}} {
		var re *oauth2.RetrieveError
		if _, err := cfg.PasswordCredentialsToken(ctx, c[0], c[1]); !errors.As(err, &re) || re.ErrorCode != "invalid_grant" ||
			re.Response.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s/%s: %v", c[0], c[1], err)
		}
	}
}

// TestPasswordSharesLoginLimits: failures at the login page limit the password grant and the other way round,
// per address; a limited grant is 429 with Retry-After and temporarily_unavailable.
func TestPasswordSharesLoginLimits(t *testing.T) {
	e := newEnv(t, withConfig(func(c *config.Config) {
		c.RateLimits.LoginPerIP, c.RateLimits.LoginPerUsername = every(2, time.Hour), every(100, time.Hour)
	}), withGrants(t, oauth.GrantPassword))
	e.addUser("alice", "correct horse battery")
	secret := e.grantClient("legacy", []string{oauth.GrantPassword})
	grant := func(pw string) page {
		form := url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {pw}}
		return e.tkPost("/oauth2/token", "application/x-www-form-urlencoded", form.Encode(), tkBasic("legacy", secret))
	}
	// Two failures at the login page empty this address's bucket: the grant is limited, even with the right
	// password.
	b := e.browser()
	for range 2 {
		if p := b.login("alice", "wrong"); p.status != http.StatusUnauthorized {
			t.Fatalf("login: %d", p.status)
		}
	}
	p := grant("correct horse battery")
	m := jsonOf(t, p)
	if p.status != http.StatusTooManyRequests || m["error"] != "temporarily_unavailable" || p.header.Get("Retry-After") == "" {
		t.Fatalf("grant after login failures: %d Retry-After=%q %s", p.status, p.header.Get("Retry-After"), p.body)
	}
	if _, err := time.ParseDuration(p.header.Get("Retry-After") + "s"); err != nil {
		t.Fatalf("Retry-After %q is not seconds", p.header.Get("Retry-After"))
	}
}

// TestPasswordFailuresLimitLogin: the other direction, failures at the grant limit the login page.
func TestPasswordFailuresLimitLogin(t *testing.T) {
	e := newEnv(t, withConfig(func(c *config.Config) {
		c.RateLimits.LoginPerIP, c.RateLimits.LoginPerUsername = every(100, time.Hour), every(2, time.Hour)
	}), withGrants(t, oauth.GrantPassword))
	e.addUser("alice", "correct horse battery")
	secret := e.grantClient("legacy", []string{oauth.GrantPassword})
	for range 2 {
		form := url.Values{"grant_type": {"password"}, "username": {"Alice"}, "password": {"wrong"}}
		p := e.tkPost("/oauth2/token", "application/x-www-form-urlencoded", form.Encode(), tkBasic("legacy", secret))
		if m := jsonOf(t, p); p.status != http.StatusBadRequest || m["error"] != "invalid_grant" {
			t.Fatalf("grant: %d %s", p.status, p.body)
		}
	}
	if p := e.browser().login("alice", "correct horse battery"); p.status != http.StatusTooManyRequests {
		t.Fatalf("login after grant failures: %d, want 429", p.status)
	}
}
