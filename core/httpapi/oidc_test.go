package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/oauth"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, after replacing the test server's random address.
func golden(t *testing.T, e *testEnv, name, got string) {
	t.Helper()
	got = strings.ReplaceAll(got, e.base, "https://issuer.example")
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(got), "", "  "); err != nil {
		t.Fatalf("%s is not JSON: %v", name, err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		_ = os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("%s differs from the golden file:\n%s", name, buf.String())
	}
}

func TestDiscoveryGolden(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	p := b.get("/.well-known/openid-configuration")
	if p.status != http.StatusOK || p.header.Get("Cache-Control") != "public, max-age=300" {
		t.Fatalf("%d %q", p.status, p.header.Get("Cache-Control"))
	}
	golden(t, e, "openid-configuration.golden.json", p.body)
	golden(t, e, "oauth-authorization-server.golden.json", b.get("/.well-known/oauth-authorization-server").body)
}

func TestJWKSEndpoint(t *testing.T) {
	e := newEnv(t)
	p := e.browser().get("/oauth2/jwks")
	if p.status != http.StatusOK || p.header.Get("Content-Type") != "application/jwk-set+json" || p.header.Get("Cache-Control") != "public, max-age=600" {
		t.Fatalf("%d %q %q", p.status, p.header.Get("Content-Type"), p.header.Get("Cache-Control"))
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(p.body), &set); err != nil || len(set.Keys) != 2 {
		t.Fatalf("jwks: %v %s", err, p.body)
	}
	for _, k := range set.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			if _, ok := k[private]; ok {
				t.Fatalf("private member %q published: %v", private, k)
			}
		}
		if k["kid"] == "" || k["use"] != "sig" || k["alg"] == "" {
			t.Fatalf("jwk: %v", k)
		}
	}
}

// issueTokens runs the code flow for user and returns the token response of a confidential client.
func (e *testEnv) issueTokens(user, pw, scope string) (clientID, secret string, resp map[string]any) {
	e.t.Helper()
	c, secret, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "RP", RedirectURIs: []string{webRedirect},
		PostLogoutRedirectURIs: []string{"https://app.example.com/bye"}})
	if err != nil {
		e.t.Fatal(err)
	}
	b := e.browser()
	consent := b.follow(b.loginAt(b.follow(b.get(authzQuery(c.ID, webRedirect, scope))), user, pw))
	scopes, _ := oauth.ParseScope(scope)
	q := clientRedirect(e.t, b.consentAt(consent, "granted", scopes...), webRedirect+"?")
	p := e.tkPost("/oauth2/token", "application/x-www-form-urlencoded", url.Values{"grant_type": {"authorization_code"},
		"code": {q.Get("code")}, "redirect_uri": {webRedirect}, "code_verifier": {testVerifier}}.Encode(), tkBasic(c.ID, secret))
	if p.status != http.StatusOK {
		e.t.Fatalf("token: %d %s", p.status, p.body)
	}
	return c.ID, secret, jsonOf(e.t, p)
}

func TestUserInfo(t *testing.T) {
	e := newEnv(t)
	u := e.addUser("alice", "correct horse battery")
	_ = e.users.SetRoles(context.Background(), "alice", []string{"user"})
	_, _, full := e.issueTokens("alice", "correct horse battery", "openid profile offline_access")
	_, _, noOpenID := e.issueTokens("alice", "correct horse battery", "profile")
	at, rt := full["access_token"].(string), full["refresh_token"].(string)
	get := func(method, auth, body string) page {
		req, _ := http.NewRequest(method, e.base+"/oauth2/userinfo", strings.NewReader(body))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return e.browser().do(req)
	}
	tests := []struct {
		name, method, auth, body string
		status                   int
		challenge                string // a substring of WWW-Authenticate
	}{
		{"GET with Bearer", http.MethodGet, "Bearer " + at, "", http.StatusOK, ""},
		{"bearer scheme case-insensitive", http.MethodGet, "bearer " + at, "", http.StatusOK, ""},
		{"POST form body", http.MethodPost, "", "access_token=" + url.QueryEscape(at), http.StatusOK, ""},
		{"no token: no error code", http.MethodGet, "", "", http.StatusUnauthorized, `Bearer realm=`},
		{"no token: the DPoP challenge too", http.MethodGet, "", "", http.StatusUnauthorized, `Bearer realm="` + strings.TrimPrefix(e.base, "http://") + `", DPoP realm="` + strings.TrimPrefix(e.base, "http://") + `", algs="ES256 EdDSA RS256 PS256"`},
		{"bad token", http.MethodGet, "Bearer at_nonsense", "", http.StatusUnauthorized, `error="invalid_token"`},
		{"refresh token refused", http.MethodGet, "Bearer " + rt, "", http.StatusUnauthorized, `error="invalid_token"`},
		{"no openid scope", http.MethodGet, "Bearer " + noOpenID["access_token"].(string), "", http.StatusForbidden, `error="insufficient_scope"`},
		{"header and body", http.MethodPost, "Bearer " + at, "access_token=" + url.QueryEscape(at), http.StatusBadRequest, `error="invalid_request"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := get(tt.method, tt.auth, tt.body)
			if p.status != tt.status || !strings.Contains(p.header.Get("WWW-Authenticate"), tt.challenge) {
				t.Fatalf("%d %q %s", p.status, p.header.Get("WWW-Authenticate"), p.body)
			}
			if tt.status == http.StatusUnauthorized && tt.challenge == `Bearer realm=` && strings.Contains(p.header.Get("WWW-Authenticate"), "error=") {
				t.Fatal("no-token answer carries an error code (RFC 6750 §3.1)")
			}
			if tt.status == http.StatusOK {
				var m map[string]any
				_ = json.Unmarshal([]byte(p.body), &m)
				if m["sub"] != u.ID || m["preferred_username"] != "alice" || p.header.Get("Cache-Control") != "no-store" {
					t.Fatalf("claims %v", m)
				}
			}
		})
	}
	// A disabled user's tokens are inactive everywhere.
	if err := e.users.SetDisabled(context.Background(), "alice", true); err != nil {
		t.Fatal(err)
	}
	if p := get(http.MethodGet, "Bearer "+at, ""); p.status != http.StatusUnauthorized {
		t.Fatalf("disabled user's token: %d", p.status)
	}
}

func TestRefreshIssuesIDToken(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	id, secret, resp := e.issueTokens("alice", "correct horse battery", "openid offline_access")
	if resp["id_token"] == nil {
		t.Fatal("no id_token from the code exchange")
	}
	p := e.tkPost("/oauth2/token", "application/x-www-form-urlencoded", url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {resp["refresh_token"].(string)}}.Encode(), tkBasic(id, secret))
	m := jsonOf(t, p)
	raw, _ := m["id_token"].(string)
	if p.status != http.StatusOK || raw == "" {
		t.Fatalf("refresh: %d %v", p.status, m)
	}
	if payload := decodeSegment(t, strings.Split(raw, ".")[1]); strings.Contains(payload, `"nonce"`) || !strings.Contains(payload, `"auth_time"`) {
		t.Fatalf("refreshed id_token: %s", payload)
	}
}

func TestRPInitiatedLogout(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	id, _, resp := e.issueTokens("alice", "correct horse battery", "openid")
	hint := resp["id_token"].(string)
	b := e.browser()
	b.login("alice", "correct horse battery")
	q := url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"https://app.example.com/bye"}, "state": {"s1"}}
	p := b.get("/oauth2/logout?" + q.Encode())
	if p.status != http.StatusOK || !strings.Contains(p.body, `action="/oauth2/logout"`) || !strings.Contains(p.body, `name="id_token_hint"`) {
		t.Fatalf("confirmation: %d\n%s", p.status, p.body)
	}
	if b.cookie("assentry_session") == nil {
		t.Fatal("GET signed out")
	}
	form := url.Values{"csrf_token": {p.csrf(t)}, "id_token_hint": {hint}, "post_logout_redirect_uri": {"https://app.example.com/bye"}, "state": {"s1"}}
	p = b.post("/oauth2/logout", form)
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "https://app.example.com/bye?state=s1" {
		t.Fatalf("logout: %d %q", p.status, p.header.Get("Location"))
	}
	if b.cookie("assentry_session") != nil {
		t.Fatal("session cookie kept")
	}
	// Unregistered redirect: shown, never followed.
	p = b.get("/oauth2/logout?" + url.Values{"client_id": {id}, "post_logout_redirect_uri": {"https://evil.example/"}}.Encode())
	if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
		t.Fatalf("unregistered redirect: %d %q", p.status, p.header.Get("Location"))
	}
	// Signed out already: a valid request goes straight back.
	p = b.get("/oauth2/logout?" + q.Encode())
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "https://app.example.com/bye?state=s1" {
		t.Fatalf("logout without a session: %d %q", p.status, p.header.Get("Location"))
	}
}

func TestIDTokenHintOnAuthorize(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	e.addUser("bob", "correct horse battery")
	web, _, _ := e.flowClients()
	_, _, resp := e.issueTokens("alice", "correct horse battery", "openid")
	hint := resp["id_token"].(string)
	b := e.browser()
	b.login("bob", "correct horse battery")
	// prompt=none with a hint naming another user than the session's: login_required (OIDC Core §3.1.2.1).
	q := clientRedirect(t, b.get(authzQuery(web, webRedirect, "openid", "prompt", "none", "id_token_hint", hint)), webRedirect+"?")
	if q.Get("error") != "login_required" {
		t.Fatalf("hint for another user: %v", q)
	}
	// A hint that is not ours: invalid_request.
	q = clientRedirect(t, b.get(authzQuery(web, webRedirect, "openid", "prompt", "none", "id_token_hint", "a.b.c")), webRedirect+"?")
	if q.Get("error") != "invalid_request" {
		t.Fatalf("bad hint: %v", q)
	}
}
