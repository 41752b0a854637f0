package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/ratelimit"
	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// The token-side tests run the Provider on a real Badger store. Codes and grants are made directly through the
// store, as the authorization endpoint would make them, so these tests do not depend on it.

const tkHost = "h1"

// tkVerifier is a valid PKCE code_verifier (RFC 7636 §4.1: 43-128 unreserved characters).
var tkVerifier = strings.Repeat("abcdefgh", 6)

// tkClientSpec is a test client: id, secret (empty for public), method, grants, introspect permission.
type tkClientSpec struct {
	id, secret, method string
	grants             []string
	introspect         bool
}

var tkClients = []tkClientSpec{
	{"web", "web-secret", AuthClientSecretBasic, nil, false},
	{"other", "other-secret", AuthClientSecretBasic, nil, false},
	{"post", "post-secret", AuthClientSecretPost, nil, false},
	{"spa", "", AuthNone, nil, false},
	{"rs", "rs-secret", AuthClientSecretBasic, nil, true},
	{"norefresh", "nr-secret", AuthClientSecretBasic, []string{GrantAuthorizationCode}, false},
	// Device clients (RFC 8628): a public one, as TVs and CLIs are, and a confidential one.
	{"tv", "", AuthNone, []string{GrantDeviceCode, GrantRefreshToken}, false},
	{"tvconf", "tv-secret", AuthClientSecretBasic, []string{GrantDeviceCode, GrantRefreshToken}, false},
	// An id and a secret that need RFC 6749 §2.3.1's form encoding inside Basic.
	{"odd:id%2B+x", "s:e%c+r et", AuthClientSecretBasic, nil, false},
}

type tokenEnv struct {
	t       testing.TB
	ctx     context.Context
	st      store.Store
	p       *Provider
	clock   *testclock.Clock
	secrets map[string]string
	alice   *store.User
}

// newTokenEnv builds a provider on a fresh Badger store with the test clients, the user alice (roles user and
// admin) and the host's chain with the built-in policy alone; mod adjusts the provider's options before it is
// built.
func newTokenEnv(t testing.TB, mod ...func(*Options)) *tokenEnv {
	t.Helper()
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	st := badgertest.New(t, clock.Now)
	ctx := context.Background()
	hostGrants := []string{GrantAuthorizationCode, GrantRefreshToken}
	e := &tokenEnv{t: t, ctx: ctx, st: st, clock: clock, secrets: map[string]string{}}
	scopes := NewCatalogue(tkRoles, nil)
	o := Options{
		Host: tkHost,
		Settings: Settings{Issuer: "https://id.example.org", AccessTokenTTL: time.Hour, RefreshTokenTTL: 24 * time.Hour,
			CodeTTL: time.Minute, GrantTypes: hostGrants, ResponseTypes: []string{"code"}},
		Clients: NewClients(tkHost, st.Clients(), hostGrants, clock.Now),
		Users:   st.Users(), Grants: st.Grants(), Tokens: st.Tokens(), Codes: st.Codes(), Consents: st.Consents(),
		DeviceCodes: st.DeviceCodes(), Interactions: st.Interactions(), Scopes: scopes,
		Policy: builtinChain(t, tkHost, scopes, nil), Now: clock.Now, Log: slog.New(slog.DiscardHandler),
		ClientAuthLimits: roomyClientAuthLimits(clock.Now),
	}
	for _, c := range tkClients {
		grants := c.grants
		if grants == nil {
			grants = hostGrants
		}
		cl := &store.Client{ID: c.id, Host: tkHost, Name: c.id, RedirectURIs: []string{"https://" + tkSafe(c.id) + ".example/cb"},
			GrantTypes: grants, TokenEndpointAuthMethod: c.method, Introspect: c.introspect, CreatedAt: clock.Now()}
		if c.secret != "" {
			cl.SecretHash = Digest(c.secret)
		}
		if err := st.Clients().Create(ctx, cl); err != nil {
			t.Fatal(err)
		}
		e.secrets[c.id] = c.secret
	}
	e.alice = e.addUser("alice", "user", "admin")
	for _, f := range mod {
		f(&o)
	}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.p = p
	return e
}

// roomyClientAuthLimits are limits of failed client authentications that no test reaches unless it means to
// (those that do set their own).
func roomyClientAuthLimits(now func() time.Time) ClientAuthLimits {
	return ClientAuthLimits{PerClientIP: ratelimit.New(1000, time.Second, now), PerIP: ratelimit.New(1000, time.Second, now)}
}

// tkRoles is the role catalogue of the test hosts.
var tkRoles = []string{"user", "admin"}

// builtinChain is a host's policy chain as core/assembly builds it: the built-in policy of the OAuth flows over
// scopes, the builtin_policy switches given (nil: all on), then the plugins given, if any.
func builtinChain(t testing.TB, host string, scopes *Catalogue, switches map[string]bool, plugins ...policy.Bound) *policy.Chain {
	t.Helper()
	chain, err := policy.NewChain(policy.Options{Host: host, Builtin: BuiltinPolicy(scopes), BuiltinPolicy: switches,
		Roles: tkRoles, Log: slog.New(slog.DiscardHandler)}, plugins...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = chain.Close(context.Background()) })
	return chain
}

func tkSafe(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return 'x'
	}, id)
}

func (e *tokenEnv) addUser(name string, roles ...string) *store.User {
	e.t.Helper()
	u := &store.User{ID: "u-" + name, Host: tkHost, Username: name, Roles: roles, CreatedAt: e.clock.Now()}
	if err := e.st.Users().Create(e.ctx, u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// codeSpec describes an authorization code as the authorization endpoint would issue it.
type codeSpec struct {
	client, user    string // default web, alice's id
	scopes          []string
	redirect        string // default the client's registered URI
	notGiven        bool   // the authorization request had no redirect_uri
	challenge       string // default S256 of tkVerifier; "-" for none
	challengeMethod string
}

func s256Challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// newCode stores a grant and its code and returns the code value and the grant id.
func (e *tokenEnv) newCode(s codeSpec) (string, string) {
	e.t.Helper()
	if s.client == "" {
		s.client = "web"
	}
	if s.user == "" {
		s.user = e.alice.ID
	}
	if s.scopes == nil {
		s.scopes = []string{ScopeOpenID, ScopeOfflineAccess}
	}
	if s.redirect == "" {
		s.redirect = "https://" + tkSafe(s.client) + ".example/cb"
	}
	switch s.challenge {
	case "":
		s.challenge, s.challengeMethod = s256Challenge(tkVerifier), PKCES256
	case "-":
		s.challenge, s.challengeMethod = "", ""
	}
	now := e.clock.Now()
	g := &store.Grant{ID: newGrantID(), Host: tkHost, UserID: s.user, ClientID: s.client, Scopes: s.scopes,
		AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(e.p.Settings.CodeTTL)}
	if err := e.st.Grants().Create(e.ctx, g); err != nil {
		e.t.Fatal(err)
	}
	code, id := newSecret(PrefixCode)
	c := &store.Code{ID: id, Host: tkHost, GrantID: g.ID, ClientID: s.client, UserID: s.user, RedirectURI: s.redirect,
		RedirectURIGiven: !s.notGiven, Scopes: s.scopes, CodeChallenge: s.challenge, CodeChallengeMethod: s.challengeMethod,
		Nonce: "n-0S6", AuthTime: now, IssuedAt: now, ExpiresAt: now.Add(e.p.Settings.CodeTTL)}
	if err := e.st.Codes().Put(e.ctx, c); err != nil {
		e.t.Fatal(err)
	}
	return code, g.ID
}

// basicHeader is what RFC 6749 §2.3.1 has a client send: each part form-encoded, then Basic.
func basicHeader(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// creds authenticates as a client with its registered method.
func (e *tokenEnv) creds(client string) ClientCredentials {
	for _, c := range tkClients {
		if c.id != client {
			continue
		}
		switch c.method {
		case AuthClientSecretBasic:
			return ClientCredentials{Authorization: basicHeader(c.id, c.secret)}
		case AuthClientSecretPost:
			return ClientCredentials{ID: c.id, Secret: c.secret}
		}
		return ClientCredentials{ID: c.id}
	}
	e.t.Fatalf("no test client %q", client)
	return ClientCredentials{}
}

// params builds Params from key, value pairs; a later pair overrides an earlier one, and an empty value
// removes the parameter (ParseParams treats empty as absent).
func params(kv ...string) Params {
	p := Params{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(p, kv[i])
		} else {
			p[kv[i]] = kv[i+1]
		}
	}
	return p
}

func (e *tokenEnv) token(cr ClientCredentials, kv ...string) (*TokenResponse, *Error) {
	return e.p.Token(e.ctx, &TokenRequest{Params: params(kv...), Client: cr})
}

// exchange redeems a code for client with the default redirect_uri and verifier, overridden by kv.
func (e *tokenEnv) exchange(client, code string, kv ...string) (*TokenResponse, *Error) {
	base := []string{"grant_type", GrantAuthorizationCode, "code", code,
		"redirect_uri", "https://" + tkSafe(client) + ".example/cb", "code_verifier", tkVerifier}
	return e.token(e.creds(client), append(base, kv...)...)
}

// mustExchange issues tokens from a fresh code of client.
func (e *tokenEnv) mustExchange(client string, scopes ...string) *TokenResponse {
	e.t.Helper()
	code, _ := e.newCode(codeSpec{client: client, scopes: scopes})
	resp, err := e.exchange(client, code)
	if err != nil {
		e.t.Fatalf("exchange: %v", err)
	}
	return resp
}

func (e *tokenEnv) refresh(client, rt string, kv ...string) (*TokenResponse, *Error) {
	return e.token(e.creds(client), append([]string{"grant_type", GrantRefreshToken, "refresh_token", rt}, kv...)...)
}

// usable reports whether a token value is live in the store.
func (e *tokenEnv) usable(value string) bool {
	_, err := e.st.Tokens().Get(e.ctx, tkHost, Digest(value))
	return err == nil
}

func (e *tokenEnv) stored(value string) *store.Token {
	e.t.Helper()
	tok, err := e.st.Tokens().Get(e.ctx, tkHost, Digest(value))
	if err != nil {
		e.t.Fatalf("token: %v", err)
	}
	return tok
}

// wantErr checks an error's code and status, and that its description is what RFC 6749 §5.2 allows
// (%x20-21 / %x23-5B / %x5D-7E).
func wantErr(t testing.TB, err *Error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	if err.Code != code || err.Status != status {
		t.Fatalf("error = %s (%d) %q, want %s (%d)", err.Code, err.Status, err.Description, code, status)
	}
	for _, r := range err.Description {
		if r < 0x20 || r == '"' || r == '\\' || r > 0x7e {
			t.Fatalf("error_description %q has %q, outside RFC 6749 §5.2's set", err.Description, r)
		}
	}
}
