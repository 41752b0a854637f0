package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/oauth"
)

const (
	testVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	webRedirect  = "https://app.example.com/cb"
)

func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// flowClients registers a trusted confidential web client, a public loopback client and an untrusted client.
func (e *testEnv) flowClients() (web, native, untrusted string) {
	e.t.Helper()
	ctx := context.Background()
	mk := func(spec oauth.ClientSpec) string {
		c, _, err := e.clients.Create(ctx, spec)
		if err != nil {
			e.t.Fatal(err)
		}
		return c.ID
	}
	web = mk(oauth.ClientSpec{Name: "Web App", ClientURI: "https://app.example.com", TOSURI: "https://app.example.com/tos",
		RedirectURIs: []string{webRedirect}})
	native = mk(oauth.ClientSpec{Name: "Native App", Public: true, RedirectURIs: []string{"http://127.0.0.1/cb"}})
	untrusted = mk(oauth.ClientSpec{Name: "Stranger", Untrusted: true, ClientURI: "https://stranger.example.net",
		RedirectURIs: []string{"https://stranger.example.net/cb"}})
	return
}

func authzQuery(clientID, redirect, scope string, extra ...string) string {
	v := url.Values{"client_id": {clientID}, "response_type": {"code"}, "state": {"st-123"},
		"code_challenge": {s256(testVerifier)}, "code_challenge_method": {"S256"}, "scope": {scope}}
	if redirect != "" {
		v.Set("redirect_uri", redirect)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "/oauth2/authorize?" + v.Encode()
}

// follow GETs a same-site Location (a redirect to the client is returned untouched).
func (b *browser) follow(p page) page {
	b.t.Helper()
	loc := p.header.Get("Location")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/") {
		b.t.Fatalf("expected a same-site 303, got %d %q\n%s", p.status, loc, p.body)
	}
	return b.get(loc)
}

var interactionRe = regexp.MustCompile(`name="interaction" value="([^"]+)"`)

func (p page) interaction(t *testing.T) string {
	t.Helper()
	m := interactionRe.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no interaction field:\n%s", p.body)
	}
	return m[1]
}

// loginAt submits the login form of a login page.
func (b *browser) loginAt(p page, user, pw string) page {
	b.t.Helper()
	return b.post("/login", url.Values{"username": {user}, "password": {pw}, "csrf_token": {p.csrf(b.t)}, "interaction": {p.interaction(b.t)}})
}

// consentAt submits a consent page with the given decision and checked scopes.
func (b *browser) consentAt(p page, decision string, scopes ...string) page {
	b.t.Helper()
	return b.post("/consent", url.Values{"consent": {decision}, "scope": scopes, "csrf_token": {p.csrf(b.t)}, "interaction": {p.interaction(b.t)}})
}

// clientRedirect checks a 303 to the client and returns its query.
func clientRedirect(t *testing.T, p page, prefix string) url.Values {
	t.Helper()
	loc := p.header.Get("Location")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("expected a 303 to %s, got %d %q\n%s", prefix, p.status, loc, p.body)
	}
	u, _ := url.Parse(loc)
	return u.Query()
}

func TestAuthorizeCodeFlow(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	web, _, _ := e.flowClients()
	b := e.browser()

	login := b.follow(b.get(authzQuery(web, webRedirect, "openid profile", "login_hint", "alice")))
	if !strings.Contains(login.body, "Web App") || !strings.Contains(login.body, `value="alice"`) {
		t.Fatalf("login page does not name the client or pre-fill login_hint:\n%s", login.body)
	}
	consent := b.follow(b.loginAt(login, "alice", "correct horse battery"))
	for _, want := range []string{"Web App", `value="openid"`, `value="profile"`, "https://app.example.com/tos", `value="granted"`, `value="denied"`} {
		if !strings.Contains(consent.body, want) {
			t.Fatalf("consent page lacks %s:\n%s", want, consent.body)
		}
	}
	if consent.header.Get("Cache-Control") != "no-store" {
		t.Fatal("consent page is cacheable")
	}
	q := clientRedirect(t, b.consentAt(consent, "granted", "openid", "profile"), webRedirect+"?")
	if q.Get("state") != "st-123" || q.Get("iss") != e.base || !strings.HasPrefix(q.Get("code"), "ac_") || len(q.Get("code")) != 46 {
		t.Fatalf("redirect query: %v", q)
	}
	// The consent form cannot be replayed.
	if p := b.consentAt(consent, "granted", "openid"); p.status != http.StatusBadRequest {
		t.Fatalf("replayed consent: %d", p.status)
	}
	// The code is stored only as its digest.
	c, err := e.st.Codes().Consume(context.Background(), "test", oauth.Digest(q.Get("code")))
	if err != nil || oauth.JoinScope(c.Scopes) != "openid profile" || c.CodeChallenge != s256(testVerifier) || c.RedirectURI != webRedirect {
		t.Fatalf("stored code: %+v %v", c, err)
	}

	// Consent is remembered for a confidential client with an exact https redirect: the next request skips it.
	q = clientRedirect(t, b.get(authzQuery(web, webRedirect, "openid")), webRedirect+"?")
	if q.Get("code") == "" {
		t.Fatalf("remembered consent not used: %v", q)
	}
	// ...unless prompt=consent.
	if p := b.get(authzQuery(web, webRedirect, "openid", "prompt", "consent")); !strings.HasPrefix(p.header.Get("Location"), "/consent?") {
		t.Fatalf("prompt=consent: %d %q", p.status, p.header.Get("Location"))
	}
	// ...or when the request asks for more than was approved.
	if p := b.get(authzQuery(web, webRedirect, "openid email")); !strings.HasPrefix(p.header.Get("Location"), "/consent?") {
		t.Fatalf("wider scope: %d %q", p.status, p.header.Get("Location"))
	}
}

func TestConsentChoices(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	web, _, _ := e.flowClients()
	b := e.browser()
	b.login("alice", "correct horse battery")

	// Denied: access_denied back to the client.
	consent := b.follow(b.get(authzQuery(web, webRedirect, "openid profile")))
	q := clientRedirect(t, b.consentAt(consent, "denied"), webRedirect+"?")
	if q.Get("error") != "access_denied" || q.Get("state") != "st-123" || q.Get("iss") != e.base {
		t.Fatalf("denied: %v", q)
	}
	// Unchecking a scope withholds it; a forged extra scope is not granted.
	consent = b.follow(b.get(authzQuery(web, webRedirect, "openid profile")))
	q = clientRedirect(t, b.consentAt(consent, "granted", "openid", "email", "user"), webRedirect+"?")
	c, err := e.st.Codes().Consume(context.Background(), "test", oauth.Digest(q.Get("code")))
	if err != nil || oauth.JoinScope(c.Scopes) != "openid" {
		t.Fatalf("granted scopes: %v %v", c.Scopes, err)
	}
	// A consent post without a decision is a bad request.
	consent = b.follow(b.get(authzQuery(web, webRedirect, "openid profile", "prompt", "consent")))
	if p := b.consentAt(consent, "maybe"); p.status != http.StatusBadRequest {
		t.Fatalf("no decision: %d", p.status)
	}
	// A consent post without the CSRF token is refused.
	if p := b.post("/consent", url.Values{"consent": {"granted"}, "interaction": {consent.interaction(t)}}); p.status != http.StatusForbidden {
		t.Fatalf("consent without CSRF: %d", p.status)
	}
}

func TestLoopbackClientAlwaysAsks(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	_, native, _ := e.flowClients()
	b := e.browser()
	b.login("alice", "correct horse battery")
	redirect := "http://127.0.0.1:43210/cb" // any port on loopback (RFC 8252 §7.3)
	consent := b.follow(b.get(authzQuery(native, redirect, "openid")))
	clientRedirect(t, b.consentAt(consent, "granted", "openid"), redirect+"?")
	// RFC 8252 §8.6: a loopback redirect can be claimed by any app, so consent is asked again...
	p := b.get(authzQuery(native, redirect, "openid"))
	if !strings.HasPrefix(p.header.Get("Location"), "/consent?") {
		t.Fatalf("remembered consent used for a loopback client: %d %q", p.status, p.header.Get("Location"))
	}
	// ...and prompt=none then answers consent_required.
	q := clientRedirect(t, b.get(authzQuery(native, redirect, "openid", "prompt", "none")), redirect+"?")
	if q.Get("error") != "consent_required" {
		t.Fatalf("prompt=none: %v", q)
	}
}

func TestPromptAndMaxAge(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	web, _, _ := e.flowClients()
	b := e.browser()

	// prompt=none without a session: login_required, redirected.
	q := clientRedirect(t, b.get(authzQuery(web, webRedirect, "openid", "prompt", "none")), webRedirect+"?")
	if q.Get("error") != "login_required" || q.Get("state") != "st-123" {
		t.Fatalf("prompt=none without session: %v", q)
	}
	b.login("alice", "correct horse battery")
	// prompt=login forces the password again despite the session.
	login := b.follow(b.get(authzQuery(web, webRedirect, "openid", "prompt", "login")))
	if !strings.Contains(login.body, `name="password"`) {
		t.Fatal("prompt=login did not show the login page")
	}
	consent := b.follow(b.loginAt(login, "alice", "correct horse battery"))
	clientRedirect(t, b.consentAt(consent, "granted", "openid"), webRedirect+"?")
	// max_age=0: the session is older than 0 s, so the user logs in again.
	if p := b.get(authzQuery(web, webRedirect, "openid", "max_age", "0")); !strings.HasPrefix(p.header.Get("Location"), "/login?interaction=") {
		t.Fatalf("max_age=0: %d %q", p.status, p.header.Get("Location"))
	}
	// A generous max_age is satisfied by the session, and the remembered consent finishes the flow.
	clientRedirect(t, b.get(authzQuery(web, webRedirect, "openid", "max_age", "3600")), webRedirect+"?")
	// prompt=none with a session and a remembered consent: a code without any page.
	q = clientRedirect(t, b.get(authzQuery(web, webRedirect, "openid", "prompt", "none")), webRedirect+"?")
	if q.Get("code") == "" {
		t.Fatalf("prompt=none with session and consent: %v", q)
	}
}

func TestAuthorizeErrorsShownOrRedirected(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	web, _, untrusted := e.flowClients()
	b := e.browser()
	shown := []struct{ name, path string }{
		{"unknown client", authzQuery("nope", webRedirect, "openid")},
		{"unregistered redirect", authzQuery(web, "https://evil.example/cb", "openid")},
		{"duplicate parameter", authzQuery(web, webRedirect, "openid") + "&state=again"},
		{"duplicate client_id", authzQuery(web, webRedirect, "openid") + "&client_id=" + web},
	}
	for _, tt := range shown {
		t.Run(tt.name, func(t *testing.T) {
			p := b.get(tt.path)
			if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.Contains(p.body, "invalid_request") ||
				!strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
				t.Fatalf("%d %q", p.status, p.header.Get("Location"))
			}
		})
	}
	// After the client is verified, errors go back to it with state and iss.
	q := clientRedirect(t, b.get(authzQuery(web, webRedirect, "openid", "code_challenge_method", "plain")), webRedirect+"?")
	if q.Get("error") != "invalid_request" || q.Get("state") != "st-123" || q.Get("iss") != e.base || q.Get("error_description") == "" {
		t.Fatalf("redirected error: %v", q)
	}
	// An untrusted client's error before the user authenticated is shown with a link back (RFC 9700 §4.11.2)...
	p := b.get(authzQuery(untrusted, "https://stranger.example.net/cb", "openid", "code_challenge_method", "plain"))
	if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.Contains(p.body, `href="https://stranger.example.net"`) {
		t.Fatalf("untrusted client error: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	// ...except for prompt=none, which always answers by redirect.
	q = clientRedirect(t, b.get(authzQuery(untrusted, "https://stranger.example.net/cb", "openid", "prompt", "none")), "https://stranger.example.net/cb?")
	if q.Get("error") != "login_required" {
		t.Fatalf("untrusted prompt=none: %v", q)
	}
	// A CORS preflight to the authorization endpoint is refused.
	req, _ := http.NewRequest(http.MethodOptions, e.base+"/oauth2/authorize", nil)
	req.Header.Set("Origin", "https://app.example.com")
	if p := b.do(req); p.status != http.StatusForbidden || p.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight: %d", p.status)
	}
}

func TestAuthorizePOSTAndBrowserBinding(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	web, _, _ := e.flowClients()
	b := e.browser()
	form, _ := url.ParseQuery(strings.TrimPrefix(authzQuery(web, webRedirect, "openid"), "/oauth2/authorize?"))
	p := b.post("/oauth2/authorize", form)
	if !strings.HasPrefix(p.header.Get("Location"), "/login?interaction=") {
		t.Fatalf("POST authorize: %d %q", p.status, p.header.Get("Location"))
	}
	// Another browser cannot pick up this interaction.
	other := e.browser()
	if q := other.get(p.header.Get("Location")); q.status != http.StatusBadRequest {
		t.Fatalf("interaction opened in another browser: %d", q.status)
	}
	login := b.follow(p)
	// A wrong password keeps the interaction on the page.
	again := b.loginAt(login, "alice", "wrong")
	if again.status != http.StatusUnauthorized || again.interaction(t) != login.interaction(t) {
		t.Fatalf("failed login lost the interaction: %d", again.status)
	}
	b.follow(b.loginAt(again, "alice", "correct horse battery"))
}

func TestSessionTTLZeroFlow(t *testing.T) {
	e := newEnv(t, withSessionTTL(0))
	e.addUser("alice", "correct horse battery")
	web, _, _ := e.flowClients()
	b := e.browser()
	consent := b.follow(b.loginAt(b.follow(b.get(authzQuery(web, webRedirect, "openid"))), "alice", "correct horse battery"))
	clientRedirect(t, b.consentAt(consent, "granted", "openid"), webRedirect+"?")
	// Nothing was remembered: the next request asks for the password again.
	if p := b.get(authzQuery(web, webRedirect, "openid")); !strings.HasPrefix(p.header.Get("Location"), "/login?interaction=") {
		t.Fatalf("session_ttl 0 remembered the login: %q", p.header.Get("Location"))
	}
}

func TestMetadata(t *testing.T) {
	e := newEnv(t, withCORS("https://spa.example.com"))
	b := e.browser()
	req, _ := http.NewRequest(http.MethodGet, e.base+"/.well-known/oauth-authorization-server", nil)
	req.Header.Set("Origin", "https://spa.example.com")
	p := b.do(req)
	if p.status != http.StatusOK || p.header.Get("Access-Control-Allow-Origin") != "https://spa.example.com" {
		t.Fatalf("metadata: %d %q", p.status, p.header.Get("Access-Control-Allow-Origin"))
	}
	for _, want := range []string{`"issuer":"` + e.base + `"`, `"authorization_endpoint":"` + e.base + `/oauth2/authorize"`,
		`"token_endpoint":"` + e.base + `/oauth2/token"`, `"code_challenge_methods_supported":["S256"]`,
		`"authorization_response_iss_parameter_supported":true`, `"response_types_supported":["code"]`,
		`"grant_types_supported":["authorization_code","refresh_token","urn:ietf:params:oauth:grant-type:device_code"]`, `"device_authorization_endpoint":"` + e.base + `/oauth2/device"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("metadata lacks %s:\n%s", want, p.body)
		}
	}
}
