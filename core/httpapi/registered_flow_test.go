package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/registration"
	"github.com/assentry/assentry/internal/testclock"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// Registered clients in every flow, through the real server: clients registered with Prosody's
// mod_http_oauth2, expiry with registration.ttl, the revocation list, long client_ids in URLs, the out-of-band
// redirect, untrusted-client errors, and end-to-end flows with golang.org/x/oauth2 and chromium.

// tokenCall posts a form to /oauth2/token (or another JSON endpoint) and decodes the JSON answer.
func (e *testEnv) tokenCall(path string, form url.Values, authorization string) (page, map[string]any) {
	e.t.Helper()
	p := e.tkPost(path, "application/x-www-form-urlencoded", form.Encode(), authorization)
	return p, jsonOf(e.t, p)
}

// codeFlow runs /oauth2/authorize in b (signing in as alice when the browser has no session), approves every
// listed scope and returns the 303 the client gets.
func (b *browser) codeFlow(authz string, scopes ...string) page {
	b.t.Helper()
	p := b.get(authz)
	if loc := p.header.Get("Location"); strings.HasPrefix(loc, "/login?") {
		p = b.loginAt(b.get(loc), "alice", "correct horse battery")
	}
	if loc := p.header.Get("Location"); strings.HasPrefix(loc, "/consent?") {
		p = b.consentAt(b.get(loc), "granted", scopes...)
	}
	return p
}

// prosodyFixture is core/registration/testdata/prosody-clients.json: client_ids and secrets made by
// mod_http_oauth2's published algorithm (see make_prosody_clients.py there), issued on 2024-03-01.
type prosodyFixture struct {
	Key        string `json:"key"`
	LegacyHost string `json:"legacy_host"`
	IssuedAt   int64  `json:"issued_at"`
	Clients    map[string]struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	} `json:"clients"`
}

func loadProsodyFixture(t *testing.T) *prosodyFixture {
	t.Helper()
	b, err := os.ReadFile("../registration/testdata/prosody-clients.json")
	if err != nil {
		t.Fatal(err)
	}
	var f prosodyFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if time.Since(time.Unix(f.IssuedAt, 0)) < time.Hour {
		t.Fatal("the fixture must have been issued more than an hour ago (its exp, iat + 3600, has passed)")
	}
	return &f
}

// TestProsodyClientsRunTheCodeFlow: clients registered with mod_http_oauth2 under the same key and host name
// authenticate at the token endpoint (client_secret_basic and client_secret_post, each either way, as Prosody
// allowed) and run the code flow, although their ids carry no iss and their exp passed long ago. Ids with a bad signature or from another host
// are refused at both endpoints.
func TestProsodyClientsRunTheCodeFlow(t *testing.T) {
	f := loadProsodyFixture(t)
	e := newRegEnv(t, regConfig{key: f.Key, legacyHost: f.LegacyHost})
	e.addUser("alice", "correct horse battery")
	b := e.browser()
	web, native := f.Clients["web_basic"], f.Clients["native_post"]

	// The README's web client, client_secret_basic.
	const webCB = "https://app.example.com/redirect"
	consent := b.follow(b.loginAt(b.follow(b.get(authzQuery(web.ClientID, webCB, "openid"))), "alice", "correct horse battery"))
	if !strings.Contains(consent.body, "My Application") || !strings.Contains(consent.body, `href="https://app.example.com/"`) {
		t.Fatalf("consent page does not show the Prosody client:\n%s", consent.body)
	}
	q := clientRedirect(t, b.consentAt(consent, "granted", "openid"), webCB+"?")
	if q.Get("state") != "st-123" || q.Get("iss") != e.base {
		t.Fatalf("redirect: %v", q)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {webCB}, "code_verifier": {testVerifier}}
	p, m := e.tokenCall("/oauth2/token", form, tkBasic(web.ClientID, web.ClientSecret))
	if p.status != http.StatusOK || !strings.HasPrefix(m["access_token"].(string), "at_") || m["id_token"] == nil {
		t.Fatalf("client_secret_basic exchange: %d %s", p.status, p.body)
	}

	// The README's native client, client_secret_post, on a loopback port of its choice, with refresh tokens.
	const nativeCB = "http://localhost:53111/redirect"
	q = clientRedirect(t, b.codeFlow(authzQuery(native.ClientID, nativeCB, "openid offline_access xmpp"), "openid", "offline_access", "xmpp"), nativeCB+"?")
	form = url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {nativeCB},
		"code_verifier": {testVerifier}, "client_id": {native.ClientID}, "client_secret": {native.ClientSecret}}
	p, m = e.tokenCall("/oauth2/token", form, "")
	if p.status != http.StatusOK || m["refresh_token"] == nil || m["scope"] != "openid offline_access xmpp" {
		t.Fatalf("client_secret_post exchange: %d %s", p.status, p.body)
	}
	p, m = e.tokenCall("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {m["refresh_token"].(string)},
		"client_id": {native.ClientID}, "client_secret": {native.ClientSecret}}, "")
	if p.status != http.StatusOK || m["access_token"] == nil {
		t.Fatalf("refresh: %d %s", p.status, p.body)
	}
	// Prosody accepted the secret by Basic or in the body whatever the client registered: its clients keep
	// working either way (the request gets past authentication to the refresh token, which is unknown).
	p, m = e.tokenCall("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt_x"}}, tkBasic(native.ClientID, native.ClientSecret))
	if p.status != http.StatusBadRequest || m["error"] != "invalid_grant" {
		t.Errorf("Prosody's client_secret_post client over Basic: %d %s", p.status, p.body)
	}
	p, m = e.tokenCall("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {"ac_x"},
		"redirect_uri": {webCB}, "client_id": {web.ClientID}, "client_secret": {web.ClientSecret}}, "")
	if p.status != http.StatusBadRequest || m["error"] != "invalid_grant" {
		t.Errorf("Prosody's client_secret_basic client in the body: %d %s", p.status, p.body)
	}
	// A wrong secret is still refused, by either method.
	p, _ = e.tokenCall("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {"ac_x"},
		"redirect_uri": {webCB}, "client_id": {web.ClientID}, "client_secret": {"wrong"}}, "")
	if p.status != http.StatusUnauthorized {
		t.Errorf("Prosody's client with a wrong secret: %d %s", p.status, p.body)
	}
	// Clients registered with Assentry (their ids carry iss) keep the method they registered.
	own := e.register(`{"client_name":"Own","client_uri":"https://app.example.com/","redirect_uris":["` + webCB + `"]}`)
	p, _ = e.tokenCall("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {"ac_x"},
		"redirect_uri": {webCB}, "client_id": {own.ClientID}, "client_secret": {own.ClientSecret}}, "")
	if p.status != http.StatusUnauthorized {
		t.Errorf("an Assentry-registered client_secret_basic client in the body: %d %s", p.status, p.body)
	}

	// A bad signature, and an id another host made with the same key: unknown at both endpoints.
	tampered := []byte(web.ClientID)
	tampered[len(tampered)-3] ^= 1
	other, err := registration.New(registration.Options{Host: "other", Issuer: "https://other.example.net", Key: f.Key,
		LegacyHost: f.LegacyHost, Revoked: e.st.RevokedClients(), Policy: e.reg.Policy, Rules: registration.Rules{GrantTypes: []string{"authorization_code"}, ResponseTypes: []string{"code"}}})
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.Register(context.Background(), []byte(`{"client_name":"My Application","client_uri":"https://app.example.com/","redirect_uris":["`+webCB+`"]}`))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ id, secret string }{"bad signature": {string(tampered), web.ClientSecret},
		"another host's id": {foreign.ClientID, foreign.ClientSecret}} {
		p, m := e.tokenCall("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {"ac_x"}, "redirect_uri": {webCB}}, tkBasic(c.id, c.secret))
		if p.status != http.StatusUnauthorized || m["error"] != "invalid_client" {
			t.Errorf("%s at /token: %d %s", name, p.status, p.body)
		}
		p = b.get(authzQuery(c.id, webCB, "openid"))
		if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.Contains(p.body, "not known") {
			t.Errorf("%s at /authorize: %d %q", name, p.status, p.header.Get("Location"))
		}
	}
}

// TestRegisteredClientTTL: with registration.ttl the client_id and its secret expire together; afterwards the
// client is unknown at the token and authorization endpoints (the clock is injected, nothing sleeps).
func TestRegisteredClientTTL(t *testing.T) {
	clock := testclock.New(time.Now().UTC())
	e := newRegEnv(t, regConfig{ttl: 24 * time.Hour, now: clock.Now})
	r := e.register(`{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"]}`)
	if *r.ClientSecretExpiresAt != r.ClientIDIssuedAt+24*3600 {
		t.Fatalf("client_secret_expires_at %d, issued %d", *r.ClientSecretExpiresAt, r.ClientIDIssuedAt)
	}
	bogus := url.Values{"grant_type": {"authorization_code"}, "code": {"ac_nope"}, "redirect_uri": {"https://a.example/cb"}}
	// Authenticated (the code is what fails) just before the expiry...
	clock.Advance(24*time.Hour - time.Second)
	if p, m := e.tokenCall("/oauth2/token", bogus, tkBasic(r.ClientID, r.ClientSecret)); m["error"] != "invalid_grant" {
		t.Fatalf("before expiry: %d %s", p.status, p.body)
	}
	// ...and unknown from it on.
	clock.Advance(time.Second)
	if p, m := e.tokenCall("/oauth2/token", bogus, tkBasic(r.ClientID, r.ClientSecret)); p.status != http.StatusUnauthorized || m["error"] != "invalid_client" {
		t.Fatalf("after expiry: %d %s", p.status, p.body)
	}
	if p := e.browser().get(authzQuery(r.ClientID, "https://a.example/cb", "openid")); p.status != http.StatusBadRequest || p.header.Get("Location") != "" {
		t.Fatalf("authorize after expiry: %d %q", p.status, p.header.Get("Location"))
	}
}

// TestRevokedRegisteredClient: `assentry client revoke` (Registry.Revoke) stops a registered client at once:
// its tokens die with its grants, and it can neither authenticate nor start a flow. Other registrations of the
// same software are not touched.
func TestRevokedRegisteredClient(t *testing.T) {
	e := newRegEnv(t, regConfig{})
	e.addUser("alice", "correct horse battery")
	const metadata = `{"client_name":"Spammy","client_uri":"https://spam.example/","redirect_uris":["https://spam.example/cb"],
		"grant_types":["authorization_code","refresh_token"]}`
	r, sibling := e.register(metadata), e.register(metadata)
	b := e.browser()
	q := clientRedirect(t, b.codeFlow(authzQuery(r.ClientID, "https://spam.example/cb", "openid offline_access"), "openid", "offline_access"), "https://spam.example/cb?")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {"https://spam.example/cb"}, "code_verifier": {testVerifier}}
	p, tok := e.tokenCall("/oauth2/token", form, tkBasic(r.ClientID, r.ClientSecret))
	if p.status != http.StatusOK || tok["refresh_token"] == nil {
		t.Fatalf("exchange: %d %s", p.status, p.body)
	}
	// A code issued before the ban, not yet exchanged.
	q = clientRedirect(t, b.codeFlow(authzQuery(r.ClientID, "https://spam.example/cb", "openid")), "https://spam.example/cb?")

	ban, n, err := e.reg.Revoke(context.Background(), r.ClientID, "spam")
	if err != nil || n != 2 || ban.ClientName != "Spammy" {
		t.Fatalf("revoke: %+v %d %v", ban, n, err)
	}
	// Every endpoint refuses it at once.
	p, m := e.tokenCall("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}, tkBasic(r.ClientID, r.ClientSecret))
	if p.status != http.StatusUnauthorized || m["error"] != "invalid_client" {
		t.Errorf("refresh after the ban: %d %s", p.status, p.body)
	}
	form.Set("code", q.Get("code"))
	if p, m := e.tokenCall("/oauth2/token", form, tkBasic(r.ClientID, r.ClientSecret)); p.status != http.StatusUnauthorized || m["error"] != "invalid_client" {
		t.Errorf("code exchange after the ban: %d %s", p.status, p.body)
	}
	if p, _ := e.tokenCall("/oauth2/introspect", url.Values{"token": {tok["access_token"].(string)}}, tkBasic(r.ClientID, r.ClientSecret)); p.status != http.StatusUnauthorized {
		t.Errorf("introspection after the ban: %d %s", p.status, p.body)
	}
	req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
	if p := e.browser().do(req); p.status != http.StatusUnauthorized {
		t.Errorf("userinfo with the banned client's token: %d %s", p.status, p.body)
	}
	p = b.get(authzQuery(r.ClientID, "https://spam.example/cb", "openid"))
	if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
		t.Errorf("authorize after the ban: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	// Another registration of the same software still works.
	if p, m := e.tokenCall("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {"ac_x"},
		"redirect_uri": {"https://spam.example/cb"}}, tkBasic(sibling.ClientID, sibling.ClientSecret)); m["error"] != "invalid_grant" {
		t.Errorf("the sibling registration: %d %s", p.status, p.body)
	}
}

// TestRegisteredClientIDsFitInURLs: a client whose client_id is close to the 2 KiB limit, with an id_token
// (whose aud is that client_id) as id_token_hint, fits through /oauth2/authorize and /oauth2/logout (fiber's
// read buffer is 32 KiB, docs/architecture.md §5).
func TestRegisteredClientIDsFitInURLs(t *testing.T) {
	e := newRegEnv(t, regConfig{})
	e.addUser("alice", "correct horse battery")
	pad := strings.Repeat("x", 140)
	md := `{"client_name":"A client with a rather long name that goes on and on for a while, as marketing wants it",
		"client_uri":"https://long.example/","logo_uri":"https://long.example/logo-` + pad + `.png",
		"tos_uri":"https://long.example/legal/terms-of-service-` + pad + `","policy_uri":"https://long.example/legal/privacy-` + pad + `",
		"redirect_uris":["https://long.example/oauth2/callback/` + pad + `","https://long.example/cb"],
		"post_logout_redirect_uris":["https://long.example/signed-out"],"contacts":["developers@long.example","security@long.example"],
		"software_id":"32a0a8f3-4016-5478-905a-c373156eca73","software_version":"12.3.4-beta.5+build.6789","scope":"openid profile email offline_access"}`
	r := e.register(md)
	if len(r.ClientID) < 1800 || len(r.ClientID) > registration.MaxClientIDLen {
		t.Fatalf("client_id is %d bytes, want close to the limit of %d", len(r.ClientID), registration.MaxClientIDLen)
	}
	b := e.browser()
	q := clientRedirect(t, b.codeFlow(authzQuery(r.ClientID, "https://long.example/cb", "openid profile email"), "openid", "profile", "email"), "https://long.example/cb?")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {"https://long.example/cb"}, "code_verifier": {testVerifier}}
	p, tok := e.tokenCall("/oauth2/token", form, tkBasic(r.ClientID, r.ClientSecret))
	if p.status != http.StatusOK {
		t.Fatalf("exchange: %d %s", p.status, p.body)
	}
	hint := tok["id_token"].(string)

	// The authorization request: consent is remembered (confidential, exact https), so prompt=none answers with a code.
	authz := authzQuery(r.ClientID, "https://long.example/cb", "openid", "prompt", "none", "id_token_hint", hint)
	p = b.get(authz)
	if q := clientRedirect(t, p, "https://long.example/cb?"); q.Get("code") == "" {
		t.Fatalf("prompt=none with the hint: %v", q)
	}
	// RP-initiated logout with both.
	logout := "/oauth2/logout?" + url.Values{"client_id": {r.ClientID}, "id_token_hint": {hint},
		"post_logout_redirect_uri": {"https://long.example/signed-out"}, "state": {"bye"}}.Encode()
	p = b.get(logout)
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="id_token_hint"`) {
		t.Fatalf("logout confirmation: %d\n%s", p.status, p.body)
	}
	p = b.post("/oauth2/logout", url.Values{"csrf_token": {p.csrf(t)}, "client_id": {r.ClientID}, "id_token_hint": {hint},
		"post_logout_redirect_uri": {"https://long.example/signed-out"}, "state": {"bye"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "https://long.example/signed-out?state=bye" {
		t.Fatalf("logout: %d %q", p.status, p.header.Get("Location"))
	}
	t.Logf("client_id %d bytes, id_token_hint %d bytes; authorization URL %d bytes, logout URL %d bytes",
		len(r.ClientID), len(hint), len(authz), len(logout))
}

// TestRegisteredClientOOB: a public native client registered with Assentry on the out-of-band URN must send an
// S256 code_challenge (OAuth 2.1 §4.1.1, RFC 9700 §2.1.1: the code is shown on a page, readable by whoever sees
// the screen). Without one the refusal is shown on a page (there is nowhere to redirect to), naming the missing
// challenge, with no code; with one the code is shown on the themed page and exchanged with the verifier.
func TestRegisteredClientOOB(t *testing.T) {
	e := newRegEnv(t, regConfig{})
	e.addUser("alice", "correct horse battery")
	r := e.register(`{"client_name":"Terminal App","client_uri":"https://term.example/","redirect_uris":["urn:ietf:wg:oauth:2.0:oob"],
		"token_endpoint_auth_method":"none"}`)
	if r.ApplicationType != "native" || r.ClientSecret != "" {
		t.Fatalf("registration: %+v", r)
	}
	v := url.Values{"client_id": {r.ClientID}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {"urn:ietf:wg:oauth:2.0:oob"}}
	b := e.browser()
	p := b.codeFlow("/oauth2/authorize?"+v.Encode(), "openid")
	if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.Contains(p.body, "code_challenge is required") ||
		strings.Contains(p.body, "ac_") {
		t.Fatalf("OOB without PKCE: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	v.Set("code_challenge", s256(testVerifier))
	v.Set("code_challenge_method", "S256")
	p = b.codeFlow("/oauth2/authorize?"+v.Encode(), "openid")
	code := regexpFind(`>(ac_[A-Za-z0-9_-]+)</textarea>`, p.body)
	if p.status != http.StatusOK || code == "" || !strings.Contains(p.body, "Terminal App") || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("OOB page: %d %q\n%s", p.status, p.header.Get("Cache-Control"), p.body)
	}
	p, m := e.tokenCall("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {"urn:ietf:wg:oauth:2.0:oob"}, "client_id": {r.ClientID}, "code_verifier": {testVerifier}}, "")
	if p.status != http.StatusOK || m["access_token"] == nil {
		t.Fatalf("OOB exchange: %d %s", p.status, p.body)
	}
}

// TestProsodyClientOOB: a client registered with mod_http_oauth2 on the out-of-band URN keeps getting its code
// without PKCE, as Prosody gave it, unless the host sets oob_require_pkce; then it needs an S256 challenge like
// a client registered with Assentry.
func TestProsodyClientOOB(t *testing.T) {
	f := loadProsodyFixture(t)
	c := f.Clients["native_oob"]
	v := url.Values{"client_id": {c.ClientID}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {"urn:ietf:wg:oauth:2.0:oob"}}
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("oob_require_pkce=%v", strict), func(t *testing.T) {
			e := newRegEnv(t, regConfig{key: f.Key, legacyHost: f.LegacyHost},
				withConfig(func(cfg *config.Config) { cfg.OOBRequirePKCE = &strict }))
			e.addUser("alice", "correct horse battery")
			b := e.browser()
			p := b.codeFlow("/oauth2/authorize?"+v.Encode(), "openid")
			code := regexpFind(`>(ac_[A-Za-z0-9_-]+)</textarea>`, p.body)
			if strict {
				if p.status != http.StatusBadRequest || code != "" || !strings.Contains(p.body, "code_challenge is required") {
					t.Fatalf("legacy OOB without PKCE under oob_require_pkce: %d\n%s", p.status, p.body)
				}
				w := url.Values{"code_challenge": {s256(testVerifier)}, "code_challenge_method": {"S256"}}
				for k, x := range v {
					w[k] = x
				}
				p = b.codeFlow("/oauth2/authorize?"+w.Encode(), "openid")
				code = regexpFind(`>(ac_[A-Za-z0-9_-]+)</textarea>`, p.body)
			}
			if p.status != http.StatusOK || code == "" || !strings.Contains(p.body, "Terminal Chat") {
				t.Fatalf("legacy OOB page: %d\n%s", p.status, p.body)
			}
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"urn:ietf:wg:oauth:2.0:oob"},
				"client_id": {c.ClientID}, "client_secret": {c.ClientSecret}}
			if strict {
				form.Set("code_verifier", testVerifier)
			}
			if p, m := e.tokenCall("/oauth2/token", form, ""); p.status != http.StatusOK || m["access_token"] == nil {
				t.Fatalf("legacy OOB exchange: %d %s", p.status, p.body)
			}
		})
	}
}

// TestRegisteredClientErrorsShown: a registered client is untrusted: an error found before the user signed in
// is shown with a link back to the client's site, not redirected (RFC 9700 §4.11.2), except for prompt=none.
func TestRegisteredClientErrorsShown(t *testing.T) {
	e := newRegEnv(t, regConfig{})
	r := e.register(`{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"]}`)
	b := e.browser()
	p := b.get(authzQuery(r.ClientID, "https://a.example/cb", "openid", "response_type", "token"))
	if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.Contains(p.body, "Return to a.example") {
		t.Fatalf("error before login: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	if q := clientRedirect(t, b.get(authzQuery(r.ClientID, "https://a.example/cb", "openid", "prompt", "none")), "https://a.example/cb?"); q.Get("error") != "login_required" {
		t.Fatalf("prompt=none: %v", q)
	}
}

// TestEndToEndRegisteredClients: software registers itself over HTTP, then golang.org/x/oauth2 runs the code
// flow: a public native client on a loopback port with PKCE, driven through the real pages by chromium
// (consent shows the name, site, terms and policy it registered), and a confidential web client whose https
// redirect is checked in the 303, then introspection with its derived secret.
func TestEndToEndRegisteredClients(t *testing.T) {
	bctx := newBrowser(t)
	e := newRegEnv(t, regConfig{})
	e.addUser("alice", "correct horse battery")
	cb := newCallbackServer(t)
	ctx := context.Background()

	// The native client registers "http://127.0.0.1/callback" and uses it on the callback server's port.
	res, err := http.Post(e.base+"/oauth2/register", "application/json", bytes.NewBufferString(`{
		"client_name":"Desktop Chat App","client_uri":"https://chat.example.org/","tos_uri":"https://chat.example.org/terms",
		"policy_uri":"https://chat.example.org/privacy","redirect_uris":["http://127.0.0.1/callback"],
		"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"scope":"openid profile offline_access"}`))
	if err != nil {
		t.Fatal(err)
	}
	var native registered
	if err := json.NewDecoder(res.Body).Decode(&native); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("registration: %d %v", res.StatusCode, err)
	}
	res.Body.Close()
	cfg := &oauth2.Config{ClientID: native.ClientID, RedirectURL: cb.URL, Scopes: []string{"openid", "profile", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token"}}
	verifier := oauth2.GenerateVerifier()
	err = chromedp.Do(bctx,
		chromedp.Navigate(cfg.AuthCodeURL("st-native", oauth2.S256ChallengeOption(verifier))),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "alice"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[value="granted"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(bctx, t, "consent-registered")
	text, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	links, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("main a")].map(a => a.href)`))
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(links, " ")
	if !strings.Contains(text, "Desktop Chat App") || !strings.Contains(text, "chat.example.org") ||
		!strings.Contains(joined, "https://chat.example.org/terms") || !strings.Contains(joined, "https://chat.example.org/privacy") {
		t.Fatalf("consent page: %q, links %v", text, links)
	}
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`button[value="granted"]`))); err != nil {
		t.Fatal(err)
	}
	q := cb.Wait(t)
	if q.Get("state") != "st-native" || q.Get("iss") != e.base {
		t.Fatalf("callback: %v", q)
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("native exchange: %v", err)
	}
	if tok.RefreshToken == "" || tok.Extra("id_token") == nil {
		t.Fatalf("native token: %+v", tok)
	}
	tok.Expiry = time.Now().Add(-time.Minute)
	if fresh, err := cfg.TokenSource(ctx, tok).Token(); err != nil || fresh.AccessToken == tok.AccessToken {
		t.Fatalf("native refresh: %v", err)
	}

	// The confidential web client, registered by the same endpoint; the browser's last hop is checked in the 303.
	web := e.register(`{"client_name":"Web Dashboard","client_uri":"https://dash.example.com/","redirect_uris":["https://dash.example.com/cb"],
		"tos_uri":"https://dash.example.com/tos","policy_uri":"https://dash.example.com/privacy"}`)
	wcfg := &oauth2.Config{ClientID: web.ClientID, ClientSecret: web.ClientSecret, RedirectURL: "https://dash.example.com/cb",
		Scopes: []string{"openid", "email"}, Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token"}}
	verifier = oauth2.GenerateVerifier()
	b := e.browser()
	login := b.follow(b.get(strings.TrimPrefix(wcfg.AuthCodeURL("st-web", oauth2.S256ChallengeOption(verifier)), e.base)))
	consent := b.follow(b.loginAt(login, "alice", "correct horse battery"))
	for _, want := range []string{"Web Dashboard", `href="https://dash.example.com/"`, `href="https://dash.example.com/tos"`, `href="https://dash.example.com/privacy"`} {
		if !strings.Contains(consent.body, want) {
			t.Fatalf("consent page lacks %s:\n%s", want, consent.body)
		}
	}
	q = clientRedirect(t, b.consentAt(consent, "granted", "openid", "email"), "https://dash.example.com/cb?")
	if q.Get("state") != "st-web" || q.Get("iss") != e.base {
		t.Fatalf("web redirect: %v", q)
	}
	wtok, err := wcfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("web exchange: %v", err)
	}
	if !active(t, e.testEnv, wcfg, wtok.AccessToken) {
		t.Fatal("introspection with the derived secret: the token is not active")
	}
	// Its own token only (RFC 7662 §2.1 as the server applies it): the native client's token is not its to see.
	if active(t, e.testEnv, wcfg, tok.AccessToken) {
		t.Fatal("the web client introspected the native client's token")
	}
}

// regexpFind returns the first submatch of pattern in s, or "".
func regexpFind(pattern, s string) string {
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}
