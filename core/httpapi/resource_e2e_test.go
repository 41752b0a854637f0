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

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/policy"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Resource indicators (RFC 8707) and JWT access tokens (RFC 9068) through the real server, with
// golang.org/x/oauth2 as the client and go-oidc's RemoteKeySet verifying JWTs against the published JWKS.

const (
	rsAPI      = "https://api.example.com/"
	rsCalendar = "https://calendar.example.com/"
	rsJWT      = "https://jwt.example.com/"
	rsCallback = "https://rp.example/cb"
)

// withResources makes the host's resources: two with the client's token format and one configured for JWT
// access tokens, and serves the client credentials grant and the further grant types given.
func withResources(t *testing.T, types ...string) envOption {
	grants := withGrants(t, append([]string{oauth.GrantClientCredentials}, types...)...)
	return func(s *envSetup) {
		grants(s)
		s.cfg.Resources = []config.Resource{{URI: rsAPI}, {URI: rsCalendar},
			{URI: rsJWT, AccessTokenFormat: "jwt"}}
	}
}

// rpConfig is golang.org/x/oauth2's configuration of the static client rp (tkClient: confidential, Basic).
func rpConfig(e *testEnv, id, secret string) *oauth2.Config {
	return &oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: rsCallback,
		Scopes: []string{"openid", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token",
			AuthStyle: oauth2.AuthStyleInHeader}}
}

// authorizeFor runs the code flow in b for cfg with the resource parameters given (oauth2.SetAuthURLParam sets
// one value, so further ones are appended, as a client repeating resource= sends them) and returns the client's
// redirect query.
func authorizeFor(t *testing.T, e *testEnv, b *browser, cfg *oauth2.Config, verifier string, resources ...string) url.Values {
	t.Helper()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if len(resources) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("resource", resources[0]))
	}
	authz := strings.TrimPrefix(cfg.AuthCodeURL("st-123", opts...), e.base)
	for _, r := range resources[min(1, len(resources)):] {
		authz += "&resource=" + url.QueryEscape(r)
	}
	return clientRedirect(t, b.codeFlow(authz, "openid", "offline_access"), rsCallback+"?")
}

// introspectAs introspects token as the given client and returns the answer.
func introspectAs(t *testing.T, e *testEnv, id, secret, token string) map[string]any {
	t.Helper()
	_, m := e.tokenCall("/oauth2/introspect", url.Values{"token": {token}}, tkBasic(id, secret))
	return m
}

// retrieveError is the OAuth error of a failed golang.org/x/oauth2 token request.
func retrieveError(t *testing.T, err error) *oauth2.RetrieveError {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("got %v, want an OAuth error response", err)
	}
	return re
}

// TestResourceIndicatorsCodeFlow: an authorization for two resources; the code redeemed for one of them (aud is
// that one); refreshes narrow to the other, or take both (aud an array), and one outside the grant is
// invalid_target (RFC 8707 §2.2). Without resource, aud stays the client_id.
func TestResourceIndicatorsCodeFlow(t *testing.T) {
	e := newEnv(t, withResources(t))
	e.addUser("alice", "correct horse battery")
	e.tkClient("rp", "rp-secret", oauth.AuthClientSecretBasic, false)
	ctx := context.Background()
	cfg := rpConfig(e, "rp", "rp-secret")
	b := e.browser()

	verifier := oauth2.GenerateVerifier()
	q := authorizeFor(t, e, b, cfg, verifier, rsAPI, rsCalendar)
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier), oauth2.SetAuthURLParam("resource", rsAPI))
	if err != nil {
		t.Fatal(err)
	}
	if m := introspectAs(t, e, "rp", "rp-secret", tok.AccessToken); m["active"] != true || m["aud"] != rsAPI {
		t.Fatalf("narrowed code exchange: introspection %v", m)
	}
	refresh := func(resources ...string) (map[string]any, int) {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "resource": resources}
		p, m := e.tokenCall("/oauth2/token", form, tkBasic("rp", "rp-secret"))
		if rt, ok := m["refresh_token"].(string); ok {
			tok.RefreshToken = rt
		}
		return m, p.status
	}
	m, status := refresh(rsCalendar)
	if status != http.StatusOK {
		t.Fatalf("refresh for the other resource: %d %v", status, m)
	}
	if got := introspectAs(t, e, "rp", "rp-secret", m["access_token"].(string)); got["aud"] != rsCalendar {
		t.Fatalf("refresh narrowed to %s: introspection %v", rsCalendar, got)
	}
	m, _ = refresh()
	got := introspectAs(t, e, "rp", "rp-secret", m["access_token"].(string))
	if aud, _ := got["aud"].([]any); len(aud) != 2 || aud[0] != rsAPI || aud[1] != rsCalendar {
		t.Fatalf("refresh without resource: aud %v, want both of the grant's", got["aud"])
	}
	// A resource the host knows, but outside what this grant was authorized for.
	if m, status := refresh(rsJWT); status != http.StatusBadRequest || m["error"] != oauth.CodeInvalidTarget {
		t.Fatalf("refresh outside the grant: %d %v", status, m)
	}

	// Without resource, nothing changes: aud is the client.
	verifier = oauth2.GenerateVerifier()
	q = authorizeFor(t, e, b, cfg, verifier)
	plain, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if m := introspectAs(t, e, "rp", "rp-secret", plain.AccessToken); m["aud"] != "rp" {
		t.Fatalf("no resource: introspection %v", m)
	}
}

// TestResourceIndicatorsRefused: an unknown resource, a relative URI and one with a fragment are invalid_target:
// redirected to the client from /authorize (RFC 6749 §4.1.2.1, with state and iss), 400 from the token endpoint;
// a client with its own list may ask only for those; repeating resource= is allowed where other parameters are not.
func TestResourceIndicatorsRefused(t *testing.T) {
	e := newEnv(t, withResources(t))
	e.addUser("alice", "correct horse battery")
	e.tkClient("rp", "rp-secret", oauth.AuthClientSecretBasic, false)
	secret := e.grantClient("svc", []string{oauth.GrantClientCredentials}, "api")
	b := e.browser()
	for _, tc := range []struct{ name, resource string }{
		{"unknown", "https://elsewhere.example.org/"},
		{"relative", "/api"},
		{"fragment", rsAPI + "#frag"},
		{"empty fragment", rsAPI + "#"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := clientRedirect(t, b.get(authzQuery("rp", rsCallback, "openid", "resource", tc.resource)), rsCallback+"?")
			if q.Get("error") != oauth.CodeInvalidTarget || q.Get("state") != "st-123" || q.Get("iss") != e.base || q.Get("code") != "" {
				t.Fatalf("authorize: %v", q)
			}
			cc := clientcredentials.Config{ClientID: "svc", ClientSecret: secret, TokenURL: e.base + "/oauth2/token",
				AuthStyle: oauth2.AuthStyleInHeader, EndpointParams: url.Values{"resource": {tc.resource}}}
			_, err := cc.Token(context.Background())
			if re := retrieveError(t, err); re.ErrorCode != oauth.CodeInvalidTarget || re.Response.StatusCode != http.StatusBadRequest {
				t.Fatalf("token: %d %q", re.Response.StatusCode, re.ErrorCode)
			}
		})
	}
	// Another repeated parameter is still invalid_request.
	p, m := e.tokenCall("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"api", "api"}},
		tkBasic("svc", secret))
	if p.status != http.StatusBadRequest || m["error"] != oauth.CodeInvalidRequest {
		t.Fatalf("repeated scope: %d %v", p.status, m)
	}
	// A client limited to its own resources gets no other, even one the host lists.
	clients := oauth.NewClients("test", e.st.Clients(), e.host.OAuth.GrantTypes(), nil)
	_, s2, err := clients.Create(context.Background(), oauth.ClientSpec{ID: "limited", Name: "limited",
		GrantTypes: []string{oauth.GrantClientCredentials}, Scopes: []string{"api"}, Resources: []string{"urn:example:ledger"}})
	if err != nil {
		t.Fatal(err)
	}
	for res, want := range map[string]int{"urn:example:ledger": http.StatusOK, rsAPI: http.StatusBadRequest} {
		p, m := e.tokenCall("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "resource": {res}},
			tkBasic("limited", s2))
		if p.status != want {
			t.Fatalf("limited client, resource %s: %d %v", res, p.status, m)
		}
	}
}

// TestResourceClientCredentials: clientcredentials with two resources; introspection's aud lists them.
func TestResourceClientCredentials(t *testing.T) {
	e := newEnv(t, withResources(t))
	secret := e.grantClient("svc", []string{oauth.GrantClientCredentials}, "api")
	e.tkClient("rs", "rs-secret", oauth.AuthClientSecretBasic, true)
	cc := clientcredentials.Config{ClientID: "svc", ClientSecret: secret, TokenURL: e.base + "/oauth2/token",
		AuthStyle: oauth2.AuthStyleInHeader, EndpointParams: url.Values{"resource": {rsAPI, rsCalendar}}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := introspectAs(t, e, "rs", "rs-secret", tok.AccessToken)
	if aud, _ := m["aud"].([]any); m["active"] != true || len(aud) != 2 || aud[0] != rsAPI || aud[1] != rsCalendar || m["sub"] != "svc" {
		t.Fatalf("introspection %v", m)
	}
	if parts := strings.Split(tok.AccessToken, "."); len(parts) != 1 {
		t.Fatalf("an opaque client's token for opaque resources is a JWT: %s", tok.AccessToken)
	}
}

// refuseCalendar is a scope_policy plugin that takes the calendar out of every request's resources.
const refuseCalendar = `return {abi = 1, scope_policy = function(req)
  local keep = {}
  for _, r in ipairs(req.resource or {}) do
    if r ~= "https://calendar.example.com/" then keep[#keep + 1] = r end
  end
  return {granted_scopes = req.granted_scopes, granted_resources = keep}
end}`

// TestResourcePolicy: a Lua scope_policy sees the resources and narrows them; when it leaves none, the request
// is invalid_target, redirected from the authorization step and 400 at the token endpoint.
func TestResourcePolicy(t *testing.T) {
	e := newEnv(t, withResources(t), withLuaPolicy(t, "no-calendar", refuseCalendar, policy.HookScopePolicy))
	e.addUser("alice", "correct horse battery")
	e.tkClient("rp", "rp-secret", oauth.AuthClientSecretBasic, false)
	e.tkClient("rs", "rs-secret", oauth.AuthClientSecretBasic, true)
	secret := e.grantClient("svc", []string{oauth.GrantClientCredentials}, "api")
	cfg := rpConfig(e, "rp", "rp-secret")
	b := e.browser()

	q := authorizeFor(t, e, b, cfg, oauth2.GenerateVerifier(), rsCalendar)
	if q.Get("error") != oauth.CodeInvalidTarget || q.Get("state") != "st-123" {
		t.Fatalf("authorize for the refused resource: %v", q)
	}
	cc := clientcredentials.Config{ClientID: "svc", ClientSecret: secret, TokenURL: e.base + "/oauth2/token",
		AuthStyle: oauth2.AuthStyleInHeader, EndpointParams: url.Values{"resource": {rsCalendar}}}
	_, err := cc.Token(context.Background())
	if re := retrieveError(t, err); re.ErrorCode != oauth.CodeInvalidTarget || re.Response.StatusCode != http.StatusBadRequest {
		t.Fatalf("client credentials for the refused resource: %d %q", re.Response.StatusCode, re.ErrorCode)
	}
	cc.EndpointParams = url.Values{"resource": {rsAPI, rsCalendar}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if m := introspectAs(t, e, "rs", "rs-secret", tok.AccessToken); m["aud"] != rsAPI {
		t.Fatalf("narrowed by the policy: introspection %v", m)
	}
	// Without resource the plugin's empty granted_resources changes nothing.
	verifier := oauth2.GenerateVerifier()
	q = authorizeFor(t, e, b, cfg, verifier)
	if _, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatal(err)
	}
}

// atJWT is a verified JWT access token: its header and claims.
type atJWT struct {
	header map[string]any
	claims map[string]any
}

// verifyAT checks raw's signature with the host's JWKS through go-oidc's RemoteKeySet (as a resource server
// would) and decodes it.
func verifyAT(t *testing.T, e *testEnv, raw string) atJWT {
	t.Helper()
	keys := oidc.NewRemoteKeySet(context.Background(), e.base+"/oauth2/jwks")
	payload, err := keys.VerifySignature(context.Background(), raw)
	if err != nil {
		t.Fatalf("verify %s: %v", raw, err)
	}
	var out atJWT
	if err := json.Unmarshal([]byte(decodeSegment(t, strings.Split(raw, ".")[0])), &out.header); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(payload, &out.claims); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestJWTAccessTokens: a client configured for JWT access tokens gets an RFC 9068 token (typ at+jwt, the claims
// of §2.2, aud the resource) that verifies with the JWKS; introspection accepts it (userinfo does not: it is for
// the resource); a refresh yields a new JWT; once revoked at /oauth2/revoke it is inactive at introspection at once,
// although its signature still verifies. A resource configured for JWTs gets them whatever the client's format.
func TestJWTAccessTokens(t *testing.T) {
	e := newEnv(t, withResources(t))
	u := e.addUser("alice", "correct horse battery")
	e.tkClient("rs", "rs-secret", oauth.AuthClientSecretBasic, true)
	clients := oauth.NewClients("test", e.st.Clients(), e.host.OAuth.GrantTypes(), nil)
	c, secret, err := clients.Create(context.Background(), oauth.ClientSpec{ID: "jwtrp", Name: "JWT RP",
		RedirectURIs: []string{rsCallback}, AccessTokenFormat: oauth.FormatJWT})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := rpConfig(e, c.ID, secret)
	verifier := oauth2.GenerateVerifier()
	q := authorizeFor(t, e, e.browser(), cfg, verifier, rsAPI)
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	at := verifyAT(t, e, tok.AccessToken)
	cl := at.claims
	if at.header["typ"] != "at+jwt" || at.header["kid"] == nil {
		t.Fatalf("header %v", at.header)
	}
	if cl["iss"] != e.base || cl["aud"] != rsAPI || cl["sub"] != e.host.OAuth.SubjectOf(u) || cl["client_id"] != c.ID ||
		cl["scope"] != "openid offline_access" || cl["jti"] == nil || cl["iat"] == nil || cl["auth_time"] == nil {
		t.Fatalf("claims %v", cl)
	}
	if exp, iat := cl["exp"].(float64), cl["iat"].(float64); exp-iat != e.svc.Settings.AccessTokenTTL.Seconds() {
		t.Fatalf("exp - iat = %v, want access_token_ttl", exp-iat)
	}
	for _, personal := range []string{"email", "name", "preferred_username", "username"} {
		if _, ok := cl[personal]; ok {
			t.Fatalf("claim %s in a JWT access token: %v", personal, cl)
		}
	}
	// Introspection's jti is the JWT's own, so both views of the token name it alike.
	if m := introspectAs(t, e, "rs", "rs-secret", tok.AccessToken); m["active"] != true || m["aud"] != rsAPI || m["jti"] != cl["jti"] {
		t.Fatalf("introspection %v", m)
	}
	// A token for the resource is for the resource only: not for userinfo (TestUserinfoAudience).
	if p := userinfoWith(e, tok.AccessToken); p.status != http.StatusUnauthorized {
		t.Fatalf("userinfo %d", p.status)
	}

	// A refresh yields a new JWT for the same resource.
	fresh, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	next := verifyAT(t, e, fresh.AccessToken)
	if fresh.AccessToken == tok.AccessToken || next.claims["jti"] == cl["jti"] || next.claims["aud"] != rsAPI || next.header["typ"] != "at+jwt" {
		t.Fatalf("refreshed: %v %v", next.header, next.claims)
	}

	// RFC 7009 revocation of the first JWT: inactive at once for introspection; its signature still
	// verifies (the trade-off of local verification), and the refreshed one is untouched.
	if p := e.tkPost("/oauth2/revoke", "application/x-www-form-urlencoded", url.Values{"token": {tok.AccessToken}}.Encode(),
		tkBasic(c.ID, secret)); p.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", p.status, p.body)
	}
	if m := introspectAs(t, e, "rs", "rs-secret", tok.AccessToken); m["active"] != false || len(m) != 1 {
		t.Fatalf("introspection after revocation %v", m)
	}
	verifyAT(t, e, tok.AccessToken)
	if m := introspectAs(t, e, "rs", "rs-secret", fresh.AccessToken); m["active"] != true {
		t.Fatalf("introspection of the refreshed token %v", m)
	}

	// An opaque client's token for a resource configured for JWTs is a JWT; sub is the client (RFC 9068 §2.2).
	svc := e.grantClient("svc", []string{oauth.GrantClientCredentials}, "api")
	cc := clientcredentials.Config{ClientID: "svc", ClientSecret: svc, TokenURL: e.base + "/oauth2/token",
		AuthStyle: oauth2.AuthStyleInHeader, EndpointParams: url.Values{"resource": {rsJWT}}}
	ct, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := verifyAT(t, e, ct.AccessToken)
	if v.header["typ"] != "at+jwt" || v.claims["aud"] != rsJWT || v.claims["sub"] != "svc" || v.claims["client_id"] != "svc" {
		t.Fatalf("client credentials JWT %v %v", v.header, v.claims)
	}
	if _, ok := v.claims["auth_time"]; ok || !slices.Contains([]string{"api"}, v.claims["scope"].(string)) {
		t.Fatalf("client credentials JWT claims %v", v.claims)
	}
}

// TestResourcePassword: the password grant takes resource too; its refresh token keeps the grant's resources, so
// a refresh narrows within them and is refused outside.
func TestResourcePassword(t *testing.T) {
	e := newEnv(t, withResources(t, oauth.GrantPassword))
	e.addUser("alice", "correct horse battery")
	secret := e.grantClient("legacy", []string{oauth.GrantPassword, oauth.GrantRefreshToken})
	p, m := e.tokenCall("/oauth2/token", url.Values{"grant_type": {"password"}, "username": {"alice"},
		"password": {"correct horse battery"}, "scope": {"offline_access"}, "resource": {rsAPI, rsCalendar}},
		tkBasic("legacy", secret))
	if p.status != http.StatusOK || m["refresh_token"] == nil {
		t.Fatalf("password grant: %d %v", p.status, m)
	}
	got := introspectAs(t, e, "legacy", secret, m["access_token"].(string))
	if aud, _ := got["aud"].([]any); len(aud) != 2 {
		t.Fatalf("password grant: introspection %v", got)
	}
	rt := m["refresh_token"].(string)
	p, m = e.tokenCall("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt},
		"resource": {rsCalendar}}, tkBasic("legacy", secret))
	if p.status != http.StatusOK || introspectAs(t, e, "legacy", secret, m["access_token"].(string))["aud"] != rsCalendar {
		t.Fatalf("refresh narrowed: %d %v", p.status, m)
	}
	p, m = e.tokenCall("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {m["refresh_token"].(string)},
		"resource": {rsJWT}}, tkBasic("legacy", secret))
	if p.status != http.StatusBadRequest || m["error"] != oauth.CodeInvalidTarget {
		t.Fatalf("refresh outside the grant: %d %v", p.status, m)
	}
}

// jwtClient creates the confidential client jwtrp, configured for JWT access tokens, and returns its oauth2 config.
func jwtClient(t *testing.T, e *testEnv) *oauth2.Config {
	t.Helper()
	clients := oauth.NewClients("test", e.st.Clients(), e.host.OAuth.GrantTypes(), nil)
	c, secret, err := clients.Create(context.Background(), oauth.ClientSpec{ID: "jwtrp", Name: "JWT RP",
		RedirectURIs: []string{rsCallback}, AccessTokenFormat: oauth.FormatJWT})
	if err != nil {
		t.Fatal(err)
	}
	return rpConfig(e, c.ID, secret)
}

// TestJWTAccessTokenNeverForTheClient: a JWT access token's aud is never the client_id, which is an id_token's
// (RFC 8725 §3.11–3.12). A JWT client asking for no resource gets an opaque token, or, when the host has a
// default resource, a JWT for that resource. A JWT access token is no id_token_hint, at /oauth2/authorize or at
// /oauth2/logout, although the same keys sign it.
func TestJWTAccessTokenNeverForTheClient(t *testing.T) {
	ctx := context.Background()
	t.Run("no default resource", func(t *testing.T) {
		e := newEnv(t, withResources(t))
		e.addUser("alice", "correct horse battery")
		e.tkClient("rs", "rs-secret", oauth.AuthClientSecretBasic, true)
		cfg := jwtClient(t, e)
		b := e.browser()
		verifier := oauth2.GenerateVerifier()
		tok, err := cfg.Exchange(ctx, authorizeFor(t, e, b, cfg, verifier).Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok.AccessToken, oauth.PrefixAccessToken) {
			t.Fatalf("a JWT client's token without resource is %q, want an opaque one", tok.AccessToken)
		}
		if m := introspectAs(t, e, "rs", "rs-secret", tok.AccessToken); m["active"] != true || m["aud"] != cfg.ClientID {
			t.Fatalf("introspection %v", m)
		}

		// A JWT access token of alice's (for a resource), as id_token_hint: refused, while the session is hers.
		verifier = oauth2.GenerateVerifier()
		tok, err = cfg.Exchange(ctx, authorizeFor(t, e, b, cfg, verifier, rsAPI).Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if at := verifyAT(t, e, tok.AccessToken); at.header["typ"] != oauth.TypeATJWT {
			t.Fatalf("header %v", at.header)
		}
		authz := strings.TrimPrefix(cfg.AuthCodeURL("st-hint", oauth2.S256ChallengeOption(verifier),
			oauth2.SetAuthURLParam("prompt", "none"), oauth2.SetAuthURLParam("id_token_hint", tok.AccessToken)), e.base)
		if q := clientRedirect(t, b.get(authz), rsCallback+"?"); q.Get("error") != "invalid_request" || q.Get("code") != "" {
			t.Fatalf("a JWT access token as id_token_hint at /authorize: %v", q)
		}
		p := b.get("/oauth2/logout?" + url.Values{"id_token_hint": {tok.AccessToken}}.Encode())
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "not an id_token of this server") {
			t.Fatalf("a JWT access token as id_token_hint at logout: %d\n%s", p.status, p.body)
		}
	})
	t.Run("default resource", func(t *testing.T) {
		e := newEnv(t, withResources(t), func(s *envSetup) {
			s.cfg.Resources = []config.Resource{{URI: rsAPI}, {URI: rsCalendar, Default: true}}
		})
		e.addUser("alice", "correct horse battery")
		e.tkClient("rs", "rs-secret", oauth.AuthClientSecretBasic, true)
		cfg := jwtClient(t, e)
		verifier := oauth2.GenerateVerifier()
		tok, err := cfg.Exchange(ctx, authorizeFor(t, e, e.browser(), cfg, verifier).Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if at := verifyAT(t, e, tok.AccessToken); at.claims["aud"] != rsCalendar {
			t.Fatalf("aud %v, want the default resource", at.claims["aud"])
		}
		if m := introspectAs(t, e, "rs", "rs-secret", tok.AccessToken); m["active"] != true || m["aud"] != rsCalendar {
			t.Fatalf("introspection %v", m)
		}
	})
}

// userinfoWith calls GET /oauth2/userinfo with token as Bearer.
func userinfoWith(e *testEnv, token string) page {
	req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return e.browser().do(req)
}

// TestUserinfoAudience: a token issued for resources (RFC 8707) is for them only: userinfo refuses it with
// invalid_token (RFC 6750 §3.1), unless the issuer is one of its resources; a token without resource works as
// always. A JWT access token for the issuer works there, and once revoked is refused at once.
func TestUserinfoAudience(t *testing.T) {
	ctx := context.Background()
	var issuer string
	e := newEnv(t, withResources(t), func(s *envSetup) {
		issuer = s.cfg.Issuer
		s.cfg.Resources = append(s.cfg.Resources, config.Resource{URI: issuer})
	})
	e.addUser("alice", "correct horse battery")
	e.tkClient("rp", "rp-secret", oauth.AuthClientSecretBasic, false)
	cfg := rpConfig(e, "rp", "rp-secret")
	b := e.browser()
	verifier := oauth2.GenerateVerifier()
	q := authorizeFor(t, e, b, cfg, verifier, rsAPI, issuer)
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier), oauth2.SetAuthURLParam("resource", rsAPI))
	if err != nil {
		t.Fatal(err)
	}
	refresh := func(resource ...string) string {
		t.Helper()
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "resource": resource}
		p, m := e.tokenCall("/oauth2/token", form, tkBasic("rp", "rp-secret"))
		if p.status != http.StatusOK {
			t.Fatalf("refresh %v: %d %s", resource, p.status, p.body)
		}
		tok.RefreshToken = m["refresh_token"].(string)
		return m["access_token"].(string)
	}
	verifier = oauth2.GenerateVerifier()
	plain, err := cfg.Exchange(ctx, authorizeFor(t, e, b, cfg, verifier).Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"for the API only", tok.AccessToken, http.StatusUnauthorized},
		{"for the issuer", refresh(issuer), http.StatusOK},
		{"for the API and the issuer", refresh(rsAPI, issuer), http.StatusOK},
		{"without resource", plain.AccessToken, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := userinfoWith(e, tt.token)
			if p.status != tt.want {
				t.Fatalf("userinfo: %d %s", p.status, p.body)
			}
			if tt.want == http.StatusUnauthorized && !strings.Contains(p.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Fatalf("WWW-Authenticate %q", p.header.Get("WWW-Authenticate"))
			}
		})
	}

	// A JWT access token for the issuer: accepted, and refused at once when revoked.
	jcfg := jwtClient(t, e)
	verifier = oauth2.GenerateVerifier()
	jt, err := jcfg.Exchange(ctx, authorizeFor(t, e, b, jcfg, verifier, issuer).Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if at := verifyAT(t, e, jt.AccessToken); at.claims["aud"] != issuer {
		t.Fatalf("aud %v", at.claims["aud"])
	}
	if p := userinfoWith(e, jt.AccessToken); p.status != http.StatusOK {
		t.Fatalf("userinfo of a JWT for the issuer: %d %s", p.status, p.body)
	}
	if p := e.tkPost("/oauth2/revoke", "application/x-www-form-urlencoded", url.Values{"token": {jt.AccessToken}}.Encode(),
		tkBasic(jcfg.ClientID, jcfg.ClientSecret)); p.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", p.status, p.body)
	}
	if p := userinfoWith(e, jt.AccessToken); p.status != http.StatusUnauthorized {
		t.Fatalf("userinfo after revocation %d", p.status)
	}
}
