package httpapi

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/internal/testclock"
	"golang.org/x/oauth2"
)

// Pushed authorization requests (RFC 9126) through the real server: the client pushes with net/http, the browser
// follows /oauth2/authorize?client_id&request_uri through login and consent, golang.org/x/oauth2 exchanges.

// parClient registers a confidential web client (redirect webRedirect) and returns its id and secret.
func (e *testEnv) parClient(name string, requirePAR bool) (id, secret string) {
	e.t.Helper()
	c, secret, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: name,
		ClientURI: "https://app.example.com", RedirectURIs: []string{webRedirect}, RequirePAR: requirePAR})
	if err != nil {
		e.t.Fatal(err)
	}
	return c.ID, secret
}

// parForm is an authorization request of a web client as a form: code flow, PKCE S256 of testVerifier.
func parForm(extra ...string) url.Values {
	v := url.Values{"response_type": {"code"}, "redirect_uri": {webRedirect}, "state": {"st-par"},
		"scope": {"openid profile"}, "code_challenge": {s256(testVerifier)}, "code_challenge_method": {"S256"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// push posts form to /oauth2/par with an Authorization header ("" for none) and decodes the JSON answer.
func (e *testEnv) push(form url.Values, authorization string) (page, map[string]any) {
	e.t.Helper()
	return e.tokenCall("/oauth2/par", form, authorization)
}

// pushed pushes form and fails the test unless the answer is RFC 9126 §2.2's 201; it returns the request_uri.
func (e *testEnv) pushed(form url.Values, authorization string) string {
	e.t.Helper()
	p, m := e.push(form, authorization)
	uri, _ := m["request_uri"].(string)
	if p.status != http.StatusCreated || !strings.HasPrefix(uri, oauth.RequestURIPrefix) || m["expires_in"] != float64(60) {
		e.t.Fatalf("push: %d %s", p.status, p.body)
	}
	return uri
}

// parURL is the front-channel request naming a pushed request, with any extra parameters.
func parURL(clientID, requestURI string, extra ...string) string {
	v := url.Values{"client_id": {clientID}, "request_uri": {requestURI}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "/oauth2/authorize?" + v.Encode()
}

// shownError checks that p is the error page (400, no redirect) with desc.
func shownError(t *testing.T, p page, desc string) {
	t.Helper()
	if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.Contains(p.body, html.EscapeString(desc)) {
		t.Fatalf("want the error page with %q, got %d %q\n%s", desc, p.status, p.header.Get("Location"), p.body)
	}
}

// TestPushedAuthorizationCodeFlow: the whole code flow with PKCE through PAR. The front channel's own
// parameters are ignored (RFC 9126 §4 with RFC 9101 §6.3): a forged state, scope and redirect_uri beside the
// request_uri change nothing. The request_uri is one-time: a second use is refused on a page.
func TestPushedAuthorizationCodeFlow(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	id, secret := e.parClient("PAR App", false)
	p, m := e.push(parForm(), tkBasic(id, secret))
	if p.status != http.StatusCreated || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("push: %d %v %s", p.status, p.header, p.body)
	}
	uri := m["request_uri"].(string)
	if !strings.HasPrefix(uri, "urn:ietf:params:oauth:request_uri:") || len(uri) < len(oauth.RequestURIPrefix)+43 ||
		m["expires_in"] != float64(60) {
		t.Fatalf("push answer: %v", m)
	}

	b := e.browser()
	res := b.codeFlow(parURL(id, uri, "state", "forged", "scope", "openid", "redirect_uri", "https://evil.example/cb"),
		"openid", "profile")
	q := clientRedirect(t, res, webRedirect)
	if q.Get("state") != "st-par" || q.Get("iss") != e.base || q.Get("code") == "" {
		t.Fatalf("callback: %v", q)
	}

	cfg := &oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: webRedirect,
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token"}}
	tok, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(testVerifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if got := tok.Extra("scope"); got != "openid profile" || tok.Extra("id_token") == nil {
		t.Fatalf("token: scope %v, id_token %v", got, tok.Extra("id_token"))
	}

	// RFC 9126 §4: one-time. The browser is signed in and consented, so a second use would otherwise succeed.
	shownError(t, b.get(parURL(id, uri)), "request_uri was already used or has expired")
}

// TestPushedRequestURIRules: a request_uri is refused, on a page, when it is unknown, expired (injected clock),
// or sent with another client's client_id (RFC 9126 §4); the last does not use it up for its own client. A public
// client pushes with its client_id alone.
func TestPushedRequestURIRules(t *testing.T) {
	clock := testclock.New(time.Now())
	e := newEnv(t, withClock(clock.Now))
	e.addUser("alice", "correct horse battery")
	a, aSecret := e.parClient("A", false)
	other, _ := e.parClient("B", false)
	b := e.browser()

	shownError(t, b.get(parURL(a, oauth.RequestURIPrefix+"unknown")), "request_uri was already used or has expired")

	uri := e.pushed(parForm(), tkBasic(a, aSecret))
	shownError(t, b.get(parURL(other, uri)), "request_uri was not pushed by this client")
	shownError(t, b.get("/oauth2/authorize?"+url.Values{"request_uri": {uri}}.Encode()), "The request has no client_id.")
	if p := b.get(parURL(a, uri)); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login?") {
		t.Fatalf("the pushing client's own use after another client's: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}

	uri = e.pushed(parForm(), tkBasic(a, aSecret))
	clock.Advance(60 * time.Second)
	shownError(t, b.get(parURL(a, uri)), "request_uri was already used or has expired")

	// A public client authenticates by its client_id in the body (none), as at the token endpoint.
	native, _, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "Native", Public: true,
		RedirectURIs: []string{"http://127.0.0.1/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	uri = e.pushed(parForm("client_id", native.ID, "redirect_uri", "http://127.0.0.1/cb"), "")
	res := b.codeFlow(parURL(native.ID, uri), "openid", "profile")
	if q := clientRedirect(t, res, "http://127.0.0.1/cb"); q.Get("code") == "" || q.Get("state") != "st-par" {
		t.Fatalf("public client's callback: %v", q)
	}
}

// TestPushRefusals: what the endpoint refuses and how (RFC 9126 §2.3): a request_uri in the pushed request, a
// confidential client that does not authenticate (401 with WWW-Authenticate as at the token endpoint), and every
// invalid authorization request with the very error the authorization endpoint gives for it.
func TestPushRefusals(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	id, secret := e.parClient("PAR App", false)
	auth := tkBasic(id, secret)

	p, m := e.push(parForm("request_uri", oauth.RequestURIPrefix+"x"), auth)
	if p.status != http.StatusBadRequest || m["error"] != "invalid_request" || !strings.Contains(m["error_description"].(string), "request_uri") {
		t.Fatalf("request_uri in a pushed request: %d %v", p.status, m)
	}

	p, m = e.push(parForm("client_id", id), "")
	if p.status != http.StatusUnauthorized || m["error"] != "invalid_client" {
		t.Fatalf("confidential client without its secret: %d %v", p.status, m)
	}
	p, m = e.push(parForm(), tkBasic(id, "wrong"))
	if p.status != http.StatusUnauthorized || m["error"] != "invalid_client" || !strings.HasPrefix(p.header.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("wrong secret by Basic: %d %v %q", p.status, m, p.header.Get("WWW-Authenticate"))
	}
	p, m = e.push(parForm("client_id", "someone-else"), auth)
	if p.status != http.StatusBadRequest || m["error"] != "invalid_request" {
		t.Fatalf("body client_id differs from Basic: %d %v", p.status, m)
	}

	// Each invalid request: the push answers the same code and description as /oauth2/authorize (which
	// redirects them, the client and redirect URI being valid, or shows them when the redirect URI is not).
	implicitOff := "unsupported_response_type"
	tests := []struct {
		name  string
		extra []string
		code  string
		shown bool // /oauth2/authorize shows it on a page rather than redirecting
	}{
		{"no code_challenge", []string{"code_challenge", ""}, "invalid_request", false},
		{"plain method", []string{"code_challenge_method", "plain"}, "invalid_request", false},
		{"response_type token", []string{"response_type", "token"}, implicitOff, false},
		{"no response_type", []string{"response_type", ""}, "invalid_request", false},
		{"malformed scope", []string{"scope", "openid \"x"}, "invalid_scope", false},
		{"bad max_age", []string{"max_age", "-1"}, "invalid_request", false},
		{"request object", []string{"request", "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported", false},
		{"unregistered redirect_uri", []string{"redirect_uri", "https://evil.example/cb"}, "invalid_request", true},
	}
	b := e.browser()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := parForm(tt.extra...)
			p, m := e.push(form, auth)
			if p.status != http.StatusBadRequest || m["error"] != tt.code {
				t.Fatalf("push: %d %v, want %s", p.status, m, tt.code)
			}
			form.Set("client_id", id)
			for k, v := range form {
				if v[0] == "" {
					form.Del(k)
				}
			}
			front := b.get("/oauth2/authorize?" + form.Encode())
			if tt.shown {
				shownError(t, front, m["error_description"].(string))
				return
			}
			q := clientRedirect(t, front, webRedirect)
			if u, _ := url.Parse(front.header.Get("Location")); u.Fragment != "" {
				q, _ = url.ParseQuery(u.Fragment) // response_type=token's errors go in the fragment (RFC 6749 §4.2.2.1)
			}
			if q.Get("error") != m["error"] || q.Get("error_description") != m["error_description"] {
				t.Fatalf("authorize: %q %q; push: %v", q.Get("error"), q.Get("error_description"), m)
			}
		})
	}

	// A client not registered for the code flow: unauthorized_client at both.
	dev, devSecret, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "Device",
		RedirectURIs: []string{webRedirect}, GrantTypes: []string{oauth.GrantDeviceCode}})
	if err != nil {
		t.Fatal(err)
	}
	p, m = e.push(parForm(), tkBasic(dev.ID, devSecret))
	q := clientRedirect(t, b.get(authzQuery(dev.ID, webRedirect, "openid profile")), webRedirect)
	if p.status != http.StatusBadRequest || m["error"] != "unauthorized_client" || q.Get("error") != m["error"] ||
		q.Get("error_description") != m["error_description"] {
		t.Fatalf("client without the code grant: push %d %v; authorize %v", p.status, m, q)
	}
}

// TestPushEndpointHTTP: the endpoint's HTTP rules: POST only (405 with Allow), a form body, a size limit (413).
func TestPushEndpointHTTP(t *testing.T) {
	e := newEnv(t)
	id, secret := e.parClient("PAR App", false)
	b := e.browser()
	if p := b.get("/oauth2/par"); p.status != http.StatusMethodNotAllowed || p.header.Get("Allow") != "POST" {
		t.Fatalf("GET: %d Allow %q", p.status, p.header.Get("Allow"))
	}
	p := e.tkPost("/oauth2/par", "application/json", `{"response_type":"code"}`, tkBasic(id, secret))
	if m := jsonOf(t, p); p.status != http.StatusBadRequest || m["error"] != "invalid_request" {
		t.Fatalf("JSON body: %d %v", p.status, m)
	}
	// 16 KiB: a request just under it is taken, one just over is 413.
	under := parForm()
	under.Set("login_hint", strings.Repeat("a", 16<<10-len(under.Encode())-len("&login_hint=")))
	if p := e.tkPost("/oauth2/par", "application/x-www-form-urlencoded", under.Encode(), tkBasic(id, secret)); p.status != http.StatusCreated {
		t.Fatalf("%d bytes: %d %s", len(under.Encode()), p.status, p.body)
	}
	big := parForm("login_hint", strings.Repeat("a", 16<<10))
	p = e.tkPost("/oauth2/par", "application/x-www-form-urlencoded", big.Encode(), tkBasic(id, secret))
	if m := jsonOf(t, p); p.status != http.StatusRequestEntityTooLarge || m["error"] == nil {
		t.Fatalf("too large: %d %v", p.status, m)
	}
}

// TestPushRateLimit: pushes are limited per client address (rate_limits.par_per_ip), every push counting, a
// public client's (no secret) and a refused one too: 429 temporarily_unavailable with Retry-After, and nothing
// stored.
func TestPushRateLimit(t *testing.T) {
	e := newEnv(t, withConfig(func(c *config.Config) { c.RateLimits.PushPerIP = every(2, time.Hour) }))
	_, native, _ := e.flowClients()
	form := parForm("client_id", native, "redirect_uri", "http://127.0.0.1/cb")
	e.pushed(form, "")
	if p, m := e.push(url.Values{"client_id": {native}}, ""); p.status != http.StatusBadRequest || m["error"] != "invalid_request" {
		t.Fatalf("second (refused): %d %s", p.status, p.body)
	}
	p, m := e.push(form, "")
	if p.status != http.StatusTooManyRequests || m["error"] != "temporarily_unavailable" || p.header.Get("Retry-After") != "3600" {
		t.Fatalf("third: %d %q %s", p.status, p.header.Get("Retry-After"), p.body)
	}
}

// TestPushedRequestsRequired: require_pushed_authorization_requests for the whole host and for one client
// (RFC 9126 §4–6). A front-channel request without request_uri is refused with invalid_request, redirected as
// any error after the client and redirect URI are verified; a pushed one goes through. The host-wide setting is
// in both discovery documents.
func TestPushedRequestsRequired(t *testing.T) {
	t.Run("host", func(t *testing.T) {
		e := newEnv(t, withConfig(func(c *config.Config) {
			on := true
			c.RequirePushedAuthorizationRequests = &on
		}))
		e.addUser("alice", "correct horse battery")
		id, secret := e.parClient("PAR App", false)
		b := e.browser()
		q := clientRedirect(t, b.get(authzQuery(id, webRedirect, "openid")), webRedirect)
		if q.Get("error") != "invalid_request" || !strings.Contains(q.Get("error_description"), "RFC 9126") || q.Get("state") != "st-123" {
			t.Fatalf("front channel: %v", q)
		}
		uri := e.pushed(parForm(), tkBasic(id, secret))
		if q := clientRedirect(t, b.codeFlow(parURL(id, uri), "openid", "profile"), webRedirect); q.Get("code") == "" {
			t.Fatalf("pushed: %v", q)
		}
		for _, doc := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
			var md map[string]any
			if err := json.Unmarshal([]byte(b.get(doc).body), &md); err != nil {
				t.Fatal(err)
			}
			if md["require_pushed_authorization_requests"] != true || md["pushed_authorization_request_endpoint"] != e.base+"/oauth2/par" {
				t.Fatalf("%s: %v, %v", doc, md["require_pushed_authorization_requests"], md["pushed_authorization_request_endpoint"])
			}
		}
	})
	t.Run("client", func(t *testing.T) {
		e := newEnv(t)
		e.addUser("alice", "correct horse battery")
		strict, secret := e.parClient("Strict", true)
		lax, _ := e.parClient("Lax", false)
		b := e.browser()
		if q := clientRedirect(t, b.get(authzQuery(strict, webRedirect, "openid")), webRedirect); q.Get("error") != "invalid_request" {
			t.Fatalf("front channel of a client that requires PAR: %v", q)
		}
		if p := b.get(authzQuery(lax, webRedirect, "openid")); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login?") {
			t.Fatalf("another client's front channel: %d %q", p.status, p.header.Get("Location"))
		}
		uri := e.pushed(parForm(), tkBasic(strict, secret))
		if q := clientRedirect(t, b.codeFlow(parURL(strict, uri), "openid", "profile"), webRedirect); q.Get("code") == "" {
			t.Fatalf("pushed: %v", q)
		}
		var md map[string]any
		if err := json.Unmarshal([]byte(b.get("/.well-known/oauth-authorization-server").body), &md); err != nil {
			t.Fatal(err)
		}
		if _, ok := md["require_pushed_authorization_requests"]; ok {
			t.Fatalf("a host that does not require PAR advertises require_pushed_authorization_requests: %v", md)
		}
	})
	t.Run("registered", func(t *testing.T) {
		e := newRegEnv(t, regConfig{})
		e.addUser("alice", "correct horse battery")
		r := e.register(`{"client_name":"Reg","client_uri":"https://reg.example.org/","redirect_uris":["https://reg.example.org/cb"],
			"require_pushed_authorization_requests":true}`)
		b := e.browser()
		// An untrusted client before the user signed in: the error is shown with a link back (RFC 9700 §4.11.2).
		p := b.get(authzQuery(r.ClientID, "https://reg.example.org/cb", "openid"))
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "RFC 9126") {
			t.Fatalf("front channel of a registered client that requires PAR: %d\n%s", p.status, p.body)
		}
		uri := e.pushed(parForm("redirect_uri", "https://reg.example.org/cb"), tkBasic(r.ClientID, r.ClientSecret))
		if q := clientRedirect(t, b.codeFlow(parURL(r.ClientID, uri), "openid", "profile"), "https://reg.example.org/cb"); q.Get("code") == "" {
			t.Fatalf("pushed: %v", q)
		}
	})
	t.Run("metadata document", func(t *testing.T) {
		// A Client ID Metadata Document's require_pushed_authorization_requests binds its client as a
		// registration's does; a public client pushes with its client_id alone.
		d := newDocHost(t)
		e := newEnv(t, withCIMD(t, d, true))
		e.addUser("alice", "correct horse battery")
		id := d.document("/strict.json", func(m map[string]any) { m["require_pushed_authorization_requests"] = true })
		b := e.browser()
		p := b.get(authzQuery(id, cimdRedirect, "openid"))
		if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.Contains(p.body, "RFC 9126") {
			t.Fatalf("front channel of a metadata document client that requires PAR: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
		}
		uri := e.pushed(parForm("redirect_uri", cimdRedirect, "client_id", id, "scope", "openid"), "")
		if q := clientRedirect(t, b.codeFlow(parURL(id, uri), "openid"), cimdRedirect); q.Get("code") == "" {
			t.Fatalf("pushed: %v", q)
		}
	})
}
