package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assentry/assentry/internal/browsertest"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// TestPoliciesEndToEnd runs the real server with Lua and WebAssembly plugins bound to every hook, and checks
// that each changes what the flows do: a Lua registration rule refuses a client over HTTP, and replaces the
// built-in mod_http_oauth2 rules (switched off) while the host's own checks stay; a Lua map_roles
// plugin turns a group into a role, which the user can then be granted; a Lua scope policy withholds a scope;
// the wasm consent policy auto-approves a first-party client in the browser (no consent page) while another
// client still gets the page; the wasm claims plugin adds a claim to userinfo.
func TestPoliciesEndToEnd(t *testing.T) {
	bctx := browsertest.New(t)
	root, _ := filepath.Abs("../..")
	e := newCLIEnv(t)
	scope := writeFile(t, e.dir, "scope.lua", `-- withhold email from the "partner" client
return {abi = 1, scope_policy = function(req)
  local out = {}
  for _, s in ipairs(req.granted_scopes) do
    if not (s == "email" and req.client.client_id == "partner") then out[#out + 1] = s end
  end
  return {granted_scopes = out, denied = {{scope = "email", reason = "partners do not get e-mail"}}}
end}
`)
	cb := browsertest.NewCallback(t)
	cbAddr := strings.TrimSuffix(strings.TrimPrefix(cb.URL, "http://"), "/callback")
	cfg, _ := os.ReadFile(e.config)
	cfg = append(cfg, []byte(fmt.Sprintf(`registration:
  key: "an-example-registration-key-of-32b"
builtin_policy: {consent: false, validate_registration: false}
clients:
  - client_id: portal
    client_name: Portal
    client_secret_env: PORTAL_SECRET
    redirect_uris: [http://%[2]s/callback]
  - client_id: partner
    client_name: Partner
    client_secret_env: PORTAL_SECRET
    redirect_uris: [http://%[2]s/callback]
policies:
  - name: registration-rule
    lua: %[1]s/examples/policies/registration.lua
  - name: roles
    lua: %[1]s/plugins/roles-from-groups/roles-from-groups.lua
    config: {groups: {ops: [admin]}}
  - name: scopes
    lua: %[3]s
  - name: first-party
    wasm: %[1]s/plugins/first-party-consent-wasm/first-party-consent.wasm
    config: {client_ids: [portal]}
  - name: claims
    wasm: %[1]s/plugins/extra-claims/extra-claims.wasm
    config: {claims: [{claim: team, from: groups}]}
`, root, cbAddr, scope))...)
	writeFile(t, e.dir, filepath.Base(e.config), string(cfg))
	saved := childEnv
	childEnv = append(append([]string(nil), childEnv...), "PORTAL_SECRET=portal-secret")
	t.Cleanup(func() { childEnv = saved })
	e.ok("correct horse battery\n", "user", "add", "alice", "--password-stdin")
	e.ok("", "user", "groups", "alice", "ops")
	srv := e.startServer()
	defer srv.stop()
	base := "http://" + e.addr

	// validate_registration (Lua): client_uri must be on example.com.
	reg := func(uri string, redirect ...string) (int, string) {
		if redirect == nil {
			redirect = []string{uri + "/cb"}
		}
		body := fmt.Sprintf(`{"client_name":"X","client_uri":%q,"redirect_uris":[%q]}`, uri, redirect[0])
		res, err := http.Post(base+"/oauth2/register", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := reg("https://evil.example.org"); code != http.StatusBadRequest || !strings.Contains(body, "client_uri must be on example.com") {
		t.Fatalf("registration refused by the Lua rule: %d %s", code, body)
	}
	if code, body := reg("https://app.example.com"); code != http.StatusCreated {
		t.Fatalf("registration accepted by the Lua rule: %d %s", code, body)
	}
	// builtin_policy.validate_registration false: mod_http_oauth2's rules are off (a redirect URI on another host
	// than client_uri registers), the host's own checks are not (a javascript: redirect URI does not).
	if code, body := reg("https://app.example.com", "https://login.example.net/cb"); code != http.StatusCreated {
		t.Fatalf("registration with the built-in rules off: %d %s", code, body)
	}
	if code, body := reg("https://app.example.com", "javascript:alert(1)"); code != http.StatusBadRequest ||
		!strings.Contains(body, "invalid_redirect_uri") {
		t.Fatalf("javascript: redirect: %d %s", code, body)
	}

	flow := func(client, scope string, expectConsent bool) *oauth2.Token {
		cfg := &oauth2.Config{ClientID: client, ClientSecret: "portal-secret", RedirectURL: cb.URL, Scopes: strings.Fields(scope),
			Endpoint: oauth2.Endpoint{AuthURL: base + "/oauth2/authorize", TokenURL: base + "/oauth2/token"}}
		verifier := oauth2.GenerateVerifier()
		if err := chromedp.Do(bctx, chromedp.Navigate(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))); err != nil {
			t.Fatal(err)
		}
		_ = chromedp.Do(bctx, chromedp.WaitReady(chromedp.CSS("body")))
		if title, _ := chromedp.Run(bctx, chromedp.Title()); strings.Contains(title, "Sign in") {
			err := chromedp.Do(bctx,
				chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "alice"),
				chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "correct horse battery"),
				chromedp.Submit(chromedp.CSS(`input[name="password"]`)))
			if err != nil {
				t.Fatal(err)
			}
		}
		if expectConsent {
			err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(`button[value="granted"]`)),
				chromedp.Click(chromedp.CSS(`button[value="granted"]`)))
			if err != nil {
				t.Fatal(err)
			}
		}
		q := cb.Wait(t)
		browsertest.Landed(t, bctx)
		if q.Get("code") == "" {
			t.Fatalf("%s: no code: %v", client, q)
		}
		tok, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("%s: exchange: %v", client, err)
		}
		return tok
	}

	// consent (wasm): the first-party portal is approved without a page; map_roles (Lua) made alice an admin
	// through her group, so the admin role scope is granted; email passes for portal.
	tok := flow("portal", "openid email admin", false)
	if got := tok.Extra("scope"); got != "openid email admin" {
		t.Fatalf("portal scope: %v", got)
	}
	// claims (wasm): userinfo carries the team claim from alice's groups.
	req, _ := http.NewRequest(http.MethodGet, base+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	_ = json.NewDecoder(res.Body).Decode(&info)
	res.Body.Close()
	if team, _ := json.Marshal(info["team"]); string(team) != `["ops"]` {
		t.Fatalf("userinfo: %v", info)
	}
	// The partner client is not first-party: the consent page is shown; the Lua scope policy withholds email.
	tok = flow("partner", "openid email", true)
	if got := tok.Extra("scope"); got != "openid" {
		t.Fatalf("partner scope: %v", got)
	}
}
