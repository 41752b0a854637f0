package httpapi

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"html"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
	"golang.org/x/oauth2"
)

// Clients identified by the URL of their Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-
// document), through the real server: the documents are served by loopback TLS servers whose certificate the
// host trusts through client_id_metadata_documents.test_root_ca, with allow_networks letting it reach
// 127.0.0.0/8.

// cimdRedirect is the documents' redirect URI: a native client's loopback redirect (any port matches).
const cimdRedirect = "http://127.0.0.1/cb"

// docHost is a loopback TLS server of metadata documents, counting the requests for each path.
type docHost struct {
	*httptest.Server
	mu   sync.Mutex
	docs map[string]http.HandlerFunc
	hits map[string]int
}

func newDocHost(t *testing.T) *docHost {
	t.Helper()
	d := &docHost{docs: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	d.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.hits[r.URL.Path]++
		h := d.docs[r.URL.Path]
		d.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	d.Config.ErrorLog = log.New(io.Discard, "", 0)
	d.StartTLS()
	t.Cleanup(d.Close)
	return d
}

// document serves at path the metadata document of the client whose client_id is that path's URL; change edits
// its members first.
func (d *docHost) document(path string, change func(m map[string]any)) string {
	id := d.URL + path
	m := map[string]any{"client_id": id, "client_name": "MCP Tool", "client_uri": "https://tool.example.com/",
		"redirect_uris": []string{cimdRedirect}, "grant_types": []string{"authorization_code", "refresh_token"},
		"token_endpoint_auth_method": "none", "scope": "openid profile offline_access"}
	if change != nil {
		change(m)
	}
	body, _ := json.Marshal(m)
	d.handle(path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(body)
	})
	return id
}

func (d *docHost) handle(path string, h http.HandlerFunc) {
	d.mu.Lock()
	d.docs[path] = h
	d.mu.Unlock()
}

func (d *docHost) hitsOf(path string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.hits[path]
}

// withCIMD enables client_id_metadata_documents, trusting the documents' test servers' certificate (every
// httptest TLS server has the same) and, when allowLoopback, fetching from 127.0.0.0/8.
func withCIMD(t *testing.T, d *docHost, allowLoopback bool) envOption {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	on := true
	c := &config.ClientIDMetadataDocuments{Enabled: &on, TestRootCA: ca}
	if allowLoopback {
		c.AllowNetworks = []string{"127.0.0.0/8"}
	}
	return withConfig(func(cfg *config.Config) { cfg.ClientIDMetadataDocuments = c })
}

// originRule is a validate_registration plugin that accepts metadata document clients from the origins of its
// config only (and registrations unchanged).
const originRule = `local allowed = {}
return {abi = 1,
  init = function(config) for _, o in ipairs(config.allowed_origins) do allowed[o] = true end end,
  validate_registration = function(req)
    if req.operation ~= "metadata_document" then return {decision = "accept"} end
    local u = assentry.url.parse(req.client_id)
    local origin = u.scheme .. "://" .. u.host .. (u.port and (":" .. tostring(u.port)) or "")
    if allowed[origin] then return {decision = "accept"} end
    return {decision = "reject", error = "invalid_client_metadata",
      error_description = "clients from this origin are not accepted here"}
  end}
`

// withOriginRule loads originRule allowing origins.
func withOriginRule(t *testing.T, origins ...string) envOption {
	path := filepath.Join(t.TempDir(), "origins.lua")
	if err := os.WriteFile(path, []byte(originRule), 0o600); err != nil {
		t.Fatal(err)
	}
	allowed := make([]any, len(origins))
	for i, o := range origins {
		allowed[i] = o
	}
	return func(s *envSetup) {
		s.build.Engines = map[string]policy.Engine{"lua": lua.New(lua.Options{})}
		s.cfg.Policies = append(s.cfg.Policies, config.Policy{Name: "origins", Lua: path,
			Hooks: []string{policy.HookValidateRegistration}, Config: map[string]any{"allowed_origins": allowed}})
	}
}

// TestCIMDCodeFlow: golang.org/x/oauth2 runs the authorization code flow with PKCE using a metadata document URL
// as its client_id: the consent page shows the client as untrusted, from the document server's host; the code
// is exchanged without a secret; a second flow within the document's max-age does not fetch it again. The
// discovery documents advertise the feature.
func TestCIMDCodeFlow(t *testing.T) {
	d := newDocHost(t)
	e := newEnv(t, withCIMD(t, d, true), withOriginRule(t, d.URL))
	e.addUser("alice", "correct horse battery")
	id := d.document("/oauth/client.json", nil)
	cfg := &oauth2.Config{ClientID: id, RedirectURL: cimdRedirect, Scopes: []string{"openid", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token"}}
	b := e.browser()

	// flow runs the code flow in b, signing in the first time, and approving the consent page when it shows.
	flow := func(state string, firstTime bool) *oauth2.Token {
		t.Helper()
		verifier := oauth2.GenerateVerifier()
		p := b.get(strings.TrimPrefix(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), e.base))
		if firstTime {
			p = b.loginAt(b.follow(p), "alice", "correct horse battery")
		}
		if loc := p.header.Get("Location"); strings.HasPrefix(loc, "/consent?") {
			consent := b.follow(p)
			host := strings.TrimPrefix(d.URL, "https://")
			// The origin shown is the client_id URL's host, not the document's client_uri (tool.example.com),
			// which is on another host and so not linked.
			if !strings.Contains(consent.body, `id="client-origin">`+host+`</p>`) || strings.Contains(consent.body, "tool.example.com") ||
				!strings.Contains(consent.body, `id="redirect-host"`) || !strings.Contains(consent.body, "MCP Tool") {
				t.Fatalf("the consent page does not show the untrusted client from %s:\n%s", host, consent.body)
			}
			p = b.consentAt(consent, "granted", "openid", "offline_access")
		}
		q := clientRedirect(t, p, cimdRedirect+"?")
		if q.Get("state") != state || q.Get("iss") != e.base {
			t.Fatalf("redirect: %v", q)
		}
		tok, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		if !strings.HasPrefix(tok.AccessToken, "at_") || tok.RefreshToken == "" || tok.Extra("id_token") == nil {
			t.Fatalf("tokens: %+v", tok)
		}
		return tok
	}
	tok := flow("s1", true)
	// The refresh token works for the client, which authenticates with its client_id URL alone.
	fresh, err := cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil || fresh.AccessToken == "" || fresh.AccessToken == tok.AccessToken {
		t.Fatalf("refresh: %+v %v", fresh, err)
	}
	// A second flow in the same session: the document, served with max-age=300, is not fetched again.
	flow("s2", false)
	if n := d.hitsOf("/oauth/client.json"); n != 1 {
		t.Fatalf("the document was fetched %d times, want once (Cache-Control: max-age=300)", n)
	}

	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		p := b.get(path)
		var m map[string]any
		if err := json.Unmarshal([]byte(p.body), &m); err != nil || m["client_id_metadata_document_supported"] != true {
			t.Errorf("%s: client_id_metadata_document_supported = %v (%v)", path, m["client_id_metadata_document_supported"], err)
		}
	}
}

// TestCIMDRefusals: every MUST the server enforces, at the authorization endpoint (an error page: the
// redirect_uri cannot be trusted, RFC 6749 §4.1.2.1) and at the token endpoint (invalid_client), each with a
// description naming the rule.
func TestCIMDRefusals(t *testing.T) {
	d, other := newDocHost(t), newDocHost(t)
	e := newEnv(t, withCIMD(t, d, true), withOriginRule(t, d.URL))
	mismatch := d.document("/mismatch.json", func(m map[string]any) { m["client_id"] = d.URL + "/other.json" })
	secret := d.document("/secret.json", func(m map[string]any) {
		m["token_endpoint_auth_method"], m["client_secret"] = "client_secret_basic", "s3cret"
	})
	webHTTP := d.document("/web.json", func(m map[string]any) {
		m["redirect_uris"], m["application_type"] = []string{"http://tool.example.com/cb"}, "web"
	})
	d.handle("/redirect.json", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/web.json", http.StatusFound)
	})
	d.handle("/big.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"client_name":"` + strings.Repeat("x", 6000) + `"}`))
	})
	d.handle("/page.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`{"client_id":"` + d.URL + `/page.json"}`))
	})
	foreign := other.document("/client.json", nil)
	tests := []struct{ name, id, want string }{
		{"client_id differs from the URL", mismatch, "client_id: does not equal the URL the document was fetched from"},
		{"a shared secret", secret, "client_secret: must not be present"},
		{"a web redirect over http (the registration rules)", webHTTP, "redirect_uris: the URI at index 0"},
		{"a redirect", d.URL + "/redirect.json", "answered with a redirect"},
		{"over max_bytes", d.URL + "/big.json", "over 5120 bytes"},
		{"not JSON", d.URL + "/page.json", "not served as application/json"},
		{"not found", d.URL + "/missing.json", "HTTP status 404"},
		{"http", strings.Replace(d.URL, "https:", "http:", 1) + "/client.json", "must use the https scheme"},
		{"dot segments", d.URL + "/a/../client.json", "path segments"},
		{"refused by the Lua rule, by origin", foreign, "clients from this origin are not accepted here"},
	}
	b := e.browser()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.get(authzQuery(tt.id, cimdRedirect, "openid"))
			if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.Contains(html.UnescapeString(p.body), tt.want) {
				t.Errorf("authorize: %d %q, want a page saying %q:\n%s", p.status, p.header.Get("Location"), tt.want, p.body)
			}
			form := url.Values{"grant_type": {"authorization_code"}, "code": {"ac_x"}, "redirect_uri": {cimdRedirect},
				"client_id": {tt.id}, "code_verifier": {testVerifier}}
			tp, m := e.tokenCall("/oauth2/token", form, "")
			if tp.status != http.StatusUnauthorized || m["error"] != "invalid_client" ||
				!strings.Contains(m["error_description"].(string), tt.want) {
				t.Errorf("token: %d %s, want invalid_client saying %q", tp.status, tp.body, tt.want)
			}
		})
	}
	if n := other.hitsOf("/client.json"); n == 0 {
		t.Error("the other origin's document was never fetched: the Lua rule cannot have refused it")
	}
	// A failed fetch is remembered (failure_cache_ttl): the token request got the authorization page's answer
	// without a second request.
	if n := d.hitsOf("/missing.json"); n != 1 {
		t.Errorf("the missing document was requested %d times, want once", n)
	}
}

// TestCIMDPrivateAddresses: without allow_networks nothing is fetched from a loopback address, whether the
// client_id names it (127.0.0.1, [::1]) or a host name resolves to it (localhost): the check is on the address
// dialled, after resolution.
func TestCIMDPrivateAddresses(t *testing.T) {
	d := newDocHost(t)
	e := newEnv(t, withCIMD(t, d, false))
	port := d.URL[strings.LastIndex(d.URL, ":"):]
	b := e.browser()
	for _, host := range []string{"127.0.0.1", "localhost", "[::1]"} {
		id := "https://" + host + port + "/client.json"
		d.document("/client.json", func(m map[string]any) { m["client_id"] = id })
		p := b.get(authzQuery(id, cimdRedirect, "openid"))
		if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.Contains(p.body, "not a public address") {
			t.Errorf("%s: %d %q\n%s", host, p.status, p.header.Get("Location"), p.body)
		}
	}
	if n := d.hitsOf("/client.json"); n != 0 {
		t.Fatalf("the loopback server was reached %d times", n)
	}
}

// TestCIMDOffByDefault: without client_id_metadata_documents an https client_id is an unknown client like any
// other, nothing is fetched, and the discovery documents do not mention the feature.
func TestCIMDOffByDefault(t *testing.T) {
	d := newDocHost(t)
	e := newEnv(t)
	id := d.document("/client.json", nil)
	b := e.browser()
	p := b.get(authzQuery(id, cimdRedirect, "openid"))
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "not known to this server") {
		t.Fatalf("authorize: %d\n%s", p.status, p.body)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"ac_x"}, "redirect_uri": {cimdRedirect}, "client_id": {id}}
	if tp, m := e.tokenCall("/oauth2/token", form, ""); tp.status != http.StatusUnauthorized || m["error"] != "invalid_client" {
		t.Fatalf("token: %d %s", tp.status, tp.body)
	}
	if n := d.hitsOf("/client.json"); n != 0 {
		t.Fatalf("fetched %d times with the feature off", n)
	}
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		if p := b.get(path); strings.Contains(p.body, "client_id_metadata_document") {
			t.Errorf("%s mentions the feature while it is off: %s", path, p.body)
		}
	}
}

// TestCIMDPromptNone: anyone can publish a metadata document naming any redirect URI, so an error of a
// prompt=none request before sign-in is shown, not redirected (RFC 9700 §4.11.2: no open redirector; a redirect
// URI on the client_id URL's own origin is redirected: TestRedirectsPromptNone, as the registration rules want a
// named host there, which the tests' loopback document server is not). Once the user has signed in, errors go
// back to the client as for any client.
func TestCIMDPromptNone(t *testing.T) {
	d := newDocHost(t)
	e := newEnv(t, withCIMD(t, d, true))
	e.addUser("alice", "correct horse battery")
	id := d.document("/client.json", nil) // redirects to http://127.0.0.1/cb: another origin than the document's
	b := e.browser()
	p := b.get(authzQuery(id, cimdRedirect, "openid", "prompt", "none"))
	if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.Contains(p.body, "login_required") {
		t.Fatalf("prompt=none of a metadata document client to another origin: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	b.login("alice", "correct horse battery")
	q := clientRedirect(t, b.get(authzQuery(id, cimdRedirect, "openid", "prompt", "none")), cimdRedirect+"?")
	if q.Get("error") != "consent_required" {
		t.Fatalf("prompt=none after sign-in: %v", q)
	}
}
