package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/assentry/assentry/internal/testlog"
	"github.com/golang-jwt/jwt/v5"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
	"golang.org/x/oauth2"
)

// Tests of the token, revocation and introspection endpoints through a real fiber server and Badger store.
// Clients and codes are made through the store, as the CLI and the authorization endpoint make them.

// tkClient registers a client with a known secret ("" for a public client).
func (e *testEnv) tkClient(id, secret, method string, introspect bool) {
	e.t.Helper()
	c := &store.Client{ID: id, Host: "test", Name: id, RedirectURIs: []string{"https://rp.example/cb"},
		GrantTypes: []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken}, TokenEndpointAuthMethod: method,
		Introspect: introspect}
	if secret != "" {
		c.SecretHash = oauth.Digest(secret)
	}
	if err := e.st.Clients().Create(context.Background(), c); err != nil {
		e.t.Fatal(err)
	}
}

// tkCode stores a grant and an authorization code for client and user with redirect https://rp.example/cb and
// the S256 challenge of testVerifier, and returns the code.
func (e *testEnv) tkCode(client, userID string, scopes ...string) string {
	e.t.Helper()
	ctx, now := context.Background(), time.Now().UTC()
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	grantID, code := base64.RawURLEncoding.EncodeToString(b[:16]), oauth.PrefixCode+base64.RawURLEncoding.EncodeToString(b)
	g := &store.Grant{ID: grantID, Host: "test", UserID: userID, ClientID: client, Scopes: scopes, AuthTime: now,
		CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	if err := e.st.Grants().Create(ctx, g); err != nil {
		e.t.Fatal(err)
	}
	c := &store.Code{ID: oauth.Digest(code), Host: "test", GrantID: grantID, ClientID: client, UserID: userID,
		RedirectURI: "https://rp.example/cb", RedirectURIGiven: true, Scopes: scopes, CodeChallenge: s256(testVerifier),
		CodeChallengeMethod: oauth.PKCES256, AuthTime: now, IssuedAt: now, ExpiresAt: now.Add(time.Minute)}
	if err := e.st.Codes().Put(ctx, c); err != nil {
		e.t.Fatal(err)
	}
	return code
}

// tkPost posts a raw body with a content type and optional Authorization header.
func (e *testEnv) tkPost(path, contentType, body, authorization string) page {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return e.browser().do(req)
}

func tkBasic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func exchangeForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"https://rp.example/cb"},
		"code_verifier": {testVerifier}}
}

// jsonOf decodes a JSON answer and checks the headers every answer of these endpoints carries.
func jsonOf(t *testing.T, p page) map[string]any {
	t.Helper()
	if cc := p.header.Get("Cache-Control"); cc != "no-store" || p.header.Get("Pragma") != "no-cache" {
		t.Fatalf("Cache-Control %q, Pragma %q (RFC 6749 §5.1)", cc, p.header.Get("Pragma"))
	}
	if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q: %s", ct, p.body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(p.body), &m); err != nil {
		t.Fatalf("body %q: %v", p.body, err)
	}
	return m
}

func TestTokenEndpointExchange(t *testing.T) {
	e := newEnv(t)
	u := e.addUser("alice", "correct horse battery")
	e.tkClient("web", "web-secret", oauth.AuthClientSecretBasic, false)
	code := e.tkCode("web", u.ID, "openid", "offline_access")
	p := e.tkPost("/oauth2/token", "application/x-www-form-urlencoded; charset=UTF-8", exchangeForm(code).Encode(), tkBasic("web", "web-secret"))
	m := jsonOf(t, p)
	if p.status != http.StatusOK || m["token_type"] != "Bearer" || m["expires_in"] != float64(3600) ||
		m["scope"] != "openid offline_access" || !strings.HasPrefix(m["access_token"].(string), "at_") ||
		!strings.HasPrefix(m["refresh_token"].(string), "rt_") {
		t.Fatalf("%d %v", p.status, m)
	}
	// openid was granted, so the OIDC layer adds an id_token signed by the host's key (OIDC Core §3.1.3.3).
	idt, _ := m["id_token"].(string)
	tok, err := e.host.Keys.Parse(context.Background(), idt, jwt.MapClaims{}, jwt.WithIssuer(e.base), jwt.WithAudience("web"))
	if err != nil {
		t.Fatalf("id_token %q: %v", idt, err)
	}
	if sub, _ := tok.Claims.GetSubject(); sub != u.ID {
		t.Fatalf("id_token sub %q, want the user id", sub)
	}
}

// TestTokenEndpointErrors: the status, body and headers of each error (docs/architecture.md §5).
func TestTokenEndpointErrors(t *testing.T) {
	e := newEnv(t)
	u := e.addUser("alice", "correct horse battery")
	e.tkClient("web", "web-secret", oauth.AuthClientSecretBasic, false)
	e.tkClient("post", "post-secret", oauth.AuthClientSecretPost, false)
	form := "application/x-www-form-urlencoded"
	valid := func() string { return exchangeForm(e.tkCode("web", u.ID, "openid")).Encode() }
	realm := `Basic realm="` + e.host.Issuer.Host + `"`
	tests := []struct {
		name, ct, body, auth string
		status               int
		code                 string
		challenge            string // WWW-Authenticate
	}{
		{"json body", "application/json", `{"grant_type":"authorization_code"}`, tkBasic("web", "web-secret"), 400, "invalid_request", ""},
		{"no content type", "", valid(), tkBasic("web", "web-secret"), 400, "invalid_request", ""},
		{"form type as a prefix only", "application/x-www-form-urlencodedx", valid(), tkBasic("web", "web-secret"), 400, "invalid_request", ""},
		{"multipart", "multipart/form-data; boundary=x", "--x--", tkBasic("web", "web-secret"), 400, "invalid_request", ""},
		{"bad escape in the body", form, "grant_type=%zz", tkBasic("web", "web-secret"), 400, "invalid_request", ""},
		{"repeated parameter", form, valid() + "&grant_type=refresh_token", tkBasic("web", "web-secret"), 400, "invalid_request", ""},
		{"wrong secret in Basic", form, valid(), tkBasic("web", "nope"), 401, "invalid_client", realm},
		{"malformed Basic", form, valid(), "Basic !!", 401, "invalid_client", realm},
		{"Basic for a client_secret_post client", form, valid(), tkBasic("post", "post-secret"), 401, "invalid_client", realm},
		{"wrong secret in the body: no challenge", form, valid() + "&client_id=post&client_secret=nope", "", 401, "invalid_client", ""},
		{"two methods", form, valid() + "&client_secret=web-secret", tkBasic("web", "web-secret"), 400, "invalid_request", ""},
		{"unsupported grant_type", form, "grant_type=password&username=a&password=b", tkBasic("web", "web-secret"), 400, "unsupported_grant_type", ""},
		{"bad code", form, "grant_type=authorization_code&code=ac_nope&redirect_uri=https%3A%2F%2Frp.example%2Fcb", tkBasic("web", "web-secret"), 400, "invalid_grant", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.tkPost("/oauth2/token", tt.ct, tt.body, tt.auth)
			m := jsonOf(t, p)
			if p.status != tt.status || m["error"] != tt.code || m["error_description"] == "" {
				t.Fatalf("%d %v, want %d %s", p.status, m, tt.status, tt.code)
			}
			if got := p.header.Get("WWW-Authenticate"); got != tt.challenge {
				t.Fatalf("WWW-Authenticate %q, want %q", got, tt.challenge)
			}
		})
	}
}

// TestTokenEndpointWithOAuth2Library: golang.org/x/oauth2 with auto-detected client authentication. A
// confidential client whose id and secret need RFC 6749 §2.3.1's form encoding succeeds with Basic at once; a
// public client's Basic attempt gets 401 before its code is consumed, and the library's retry with client_id in
// the body redeems it; then the library refreshes.
func TestTokenEndpointWithOAuth2Library(t *testing.T) {
	e := newEnv(t)
	u := e.addUser("alice", "correct horse battery")
	ctx := context.Background()
	for _, c := range []struct{ id, secret, method string }{
		{"odd:id%2B+x", "s:e%c+r et", oauth.AuthClientSecretBasic},
		{"public-app", "", oauth.AuthNone},
	} {
		t.Run(c.method, func(t *testing.T) {
			e.tkClient(c.id, c.secret, c.method, false)
			cfg := &oauth2.Config{ClientID: c.id, ClientSecret: c.secret, RedirectURL: "https://rp.example/cb",
				Endpoint: oauth2.Endpoint{TokenURL: e.base + "/oauth2/token", AuthStyle: oauth2.AuthStyleAutoDetect}}
			tok, err := cfg.Exchange(ctx, e.tkCode(c.id, u.ID, "openid", "offline_access"), oauth2.VerifierOption(testVerifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if tok.Extra("scope") != "openid offline_access" || tok.RefreshToken == "" {
				t.Fatalf("token %+v", tok)
			}
			tok.Expiry = time.Now().Add(-time.Minute)
			fresh, err := cfg.TokenSource(ctx, tok).Token()
			if err != nil || fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken {
				t.Fatalf("refresh: %v", err)
			}
		})
	}
}

// TestRevokeEndpoint: RFC 7009 over HTTP: 200 with an empty body, also for unknown tokens; 400
// unauthorized_client for another client's token; the cascade from a refresh token.
func TestRevokeEndpoint(t *testing.T) {
	e := newEnv(t)
	u := e.addUser("alice", "correct horse battery")
	e.tkClient("web", "web-secret", oauth.AuthClientSecretBasic, false)
	e.tkClient("other", "other-secret", oauth.AuthClientSecretBasic, false)
	form := "application/x-www-form-urlencoded"
	p := e.tkPost("/oauth2/token", form, exchangeForm(e.tkCode("web", u.ID, "openid", "offline_access")).Encode(), tkBasic("web", "web-secret"))
	m := jsonOf(t, p)
	at, rt := m["access_token"].(string), m["refresh_token"].(string)

	p = e.tkPost("/oauth2/revoke", form, "token=at_unknown", tkBasic("web", "web-secret"))
	if p.status != http.StatusOK || p.body != "" {
		t.Fatalf("unknown token: %d %q", p.status, p.body)
	}
	p = e.tkPost("/oauth2/revoke", form, "token="+rt, tkBasic("other", "other-secret"))
	if m := jsonOf(t, p); p.status != http.StatusBadRequest || m["error"] != "unauthorized_client" {
		t.Fatalf("another client's token: %d %v", p.status, m)
	}
	if !tkActive(t, e, at) {
		t.Fatal("another client's revocation revoked the token")
	}
	p = e.tkPost("/oauth2/revoke", form, "token="+rt+"&token_type_hint=refresh_token", tkBasic("web", "web-secret"))
	if p.status != http.StatusOK || p.body != "" || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("revoke: %d %q", p.status, p.body)
	}
	if tkActive(t, e, at) {
		t.Fatal("the access token survived the revocation of its refresh token")
	}
	if p := e.browser().get("/oauth2/revoke"); p.status != http.StatusMethodNotAllowed || p.header.Get("Allow") != "POST" {
		t.Fatalf("GET: %d %v", p.status, p.header)
	}
}

// tkActive introspects with web's credentials.
func tkActive(t *testing.T, e *testEnv, token string) bool {
	t.Helper()
	p := e.tkPost("/oauth2/introspect", "application/x-www-form-urlencoded", url.Values{"token": {token}}.Encode(), tkBasic("web", "web-secret"))
	m := jsonOf(t, p)
	if p.status != http.StatusOK {
		t.Fatalf("introspect: %d %v", p.status, m)
	}
	return m["active"] == true
}

// TestIntrospectEndpoint: RFC 7662 over HTTP: the members of an active token, exactly {"active":false} for an
// inactive one, and public clients refused.
func TestIntrospectEndpoint(t *testing.T) {
	e := newEnv(t)
	u := e.addUser("alice", "correct horse battery")
	e.tkClient("web", "web-secret", oauth.AuthClientSecretBasic, false)
	e.tkClient("spa", "", oauth.AuthNone, false)
	form := "application/x-www-form-urlencoded"
	p := e.tkPost("/oauth2/token", form, exchangeForm(e.tkCode("web", u.ID, "openid")).Encode(), tkBasic("web", "web-secret"))
	at := jsonOf(t, p)["access_token"].(string)

	p = e.tkPost("/oauth2/introspect", form, "token="+url.QueryEscape(at), tkBasic("web", "web-secret"))
	m := jsonOf(t, p)
	if m["active"] != true || m["client_id"] != "web" || m["username"] != "alice" || m["sub"] != u.ID ||
		m["token_type"] != "Bearer" || m["scope"] != "openid" || m["iss"] != e.base || m["aud"] != "web" ||
		m["jti"] != oauth.Digest(at) || m["exp"].(float64)-m["iat"].(float64) != 3600 {
		t.Fatalf("active: %v", m)
	}
	p = e.tkPost("/oauth2/introspect", form, "token=at_nope", tkBasic("web", "web-secret"))
	if jsonOf(t, p); p.status != http.StatusOK || p.body != `{"active":false}` {
		t.Fatalf("inactive: %d %s", p.status, p.body)
	}
	p = e.tkPost("/oauth2/introspect", form, "client_id=spa&token="+url.QueryEscape(at), "")
	if m := jsonOf(t, p); p.status != http.StatusUnauthorized || m["error"] != "invalid_client" || p.header.Get("WWW-Authenticate") != "" {
		t.Fatalf("public client: %d %v %v", p.status, m, p.header)
	}
}

// TestTokenEndpointStoreClosed: a closed store is a 503 temporarily_unavailable with Retry-After at each form
// endpoint, never a 4xx; its cause is logged with the request id and never sent.
func TestTokenEndpointStoreClosed(t *testing.T) {
	logs := &testlog.Buffer{}
	e := newEnv(t, withLogger(slog.New(slog.NewTextHandler(logs, nil))))
	e.tkClient("web", "web-secret", oauth.AuthClientSecretBasic, false)
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/oauth2/token", "/oauth2/revoke", "/oauth2/introspect"} {
		p := e.tkPost(path, "application/x-www-form-urlencoded", "grant_type=authorization_code&code=ac_x&token=at_x", tkBasic("web", "web-secret"))
		m := jsonOf(t, p)
		id := p.header.Get("X-Request-ID")
		if p.status != http.StatusServiceUnavailable || m["error"] != "temporarily_unavailable" || p.header.Get("Retry-After") != "5" ||
			strings.Contains(p.body, "closed") || !strings.Contains(m["error_description"].(string), id) {
			t.Fatalf("%s: %d Retry-After=%q %s", path, p.status, p.header.Get("Retry-After"), p.body)
		}
		if l := logs.String(); !strings.Contains(l, "request_id="+id) || !strings.Contains(l, "store: closed") {
			t.Fatalf("%s: log lacks the cause or the request id:\n%s", path, l)
		}
	}
}

// failingClients is a client source whose backend fails.
type failingClients struct{}

func (failingClients) Get(context.Context, string) (*store.Client, error) {
	return nil, errors.New("clients backend: disk on fire")
}

// TestTokenEndpointServerError: any other store failure is a 500 server_error (not invalid_client: the client
// did nothing wrong) whose cause is logged with the request id and never sent.
func TestTokenEndpointServerError(t *testing.T) {
	logs := &testlog.Buffer{}
	e := newEnv(t, withLogger(slog.New(slog.NewTextHandler(logs, nil))))
	e.host.OAuth.Clients = failingClients{}
	for _, path := range []string{"/oauth2/token", "/oauth2/revoke", "/oauth2/introspect"} {
		p := e.tkPost(path, "application/x-www-form-urlencoded", "grant_type=authorization_code&code=ac_x&token=at_x", tkBasic("web", "web-secret"))
		m := jsonOf(t, p)
		id := p.header.Get("X-Request-ID")
		if p.status != http.StatusInternalServerError || m["error"] != "server_error" || strings.Contains(p.body, "fire") ||
			!strings.Contains(m["error_description"].(string), id) || p.header.Get("WWW-Authenticate") != "" ||
			p.header.Get("Retry-After") != "" {
			t.Fatalf("%s: %d %v %s", path, p.status, p.header, p.body)
		}
		if l := logs.String(); !strings.Contains(l, "request_id="+id) || !strings.Contains(l, "disk on fire") {
			t.Fatalf("%s: log lacks the cause or the request id:\n%s", path, l)
		}
	}
}
