package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/oauth"
)

// TestMalformedScopesThroughHTTP: a scope token outside RFC 6749 §3.3's scope-token, or a separator other than
// the space, is invalid_scope at every endpoint that takes a scope, through the real server: redirected with
// state and iss from the authorization endpoint (RFC 6749 §4.1.2.1), 400 from the token endpoint for client
// credentials, password and refresh (RFC 6749 §5.2) and from device authorization (RFC 8628 §3.2); and
// invalid_client_metadata for a registration's scope (RFC 7591 §3.2.2). An unknown well-formed scope, and
// unknown prompt, ui_locales and acr_values values (OIDC Core §3.1.2.1), are still not errors.
func TestMalformedScopesThroughHTTP(t *testing.T) {
	e := newRegEnv(t, regConfig{}, withGrants(t, oauth.GrantClientCredentials, oauth.GrantPassword))
	alice := e.addUser("alice", "correct horse battery")
	web, _, _ := e.flowClients()
	svc := tkBasic("svc", e.grantClient("svc", []string{oauth.GrantClientCredentials, oauth.GrantPassword}, "api"))
	e.tkClient("rp", "rp-secret", oauth.AuthClientSecretBasic, false)
	rp := tkBasic("rp", "rp-secret")
	e.deviceClient("tv")
	b := e.browser()
	p, tok := e.tokenCall("/oauth2/token", exchangeForm(e.tkCode("rp", alice.ID, "openid", "offline_access")), rp)
	refreshToken, _ := tok["refresh_token"].(string)
	if p.status != http.StatusOK || refreshToken == "" {
		t.Fatalf("exchange: %d %s", p.status, p.body)
	}

	wantJSON := func(t *testing.T, p page, code string) {
		t.Helper()
		var body struct{ Error, ErrorDescription string }
		_ = json.Unmarshal([]byte(p.body), &body)
		if p.status != http.StatusBadRequest || body.Error != code {
			t.Fatalf("%d %s, want 400 %s", p.status, p.body, code)
		}
	}
	for _, bad := range []string{`openid "x"`, `openid a\b`, "openid caf\u00e9", "openid\tprofile"} {
		name := url.QueryEscape(bad)
		t.Run(name+"/authorize", func(t *testing.T) {
			q := clientRedirect(t, b.get(authzQuery(web, webRedirect, bad)), webRedirect+"?")
			if q.Get("error") != oauth.CodeInvalidScope || q.Get("state") != "st-123" || q.Get("iss") != e.base {
				t.Fatalf("authorize: %v", q)
			}
		})
		t.Run(name+"/client_credentials", func(t *testing.T) {
			p, _ := e.tokenCall("/oauth2/token", url.Values{"grant_type": {oauth.GrantClientCredentials}, "scope": {bad}}, svc)
			wantJSON(t, p, oauth.CodeInvalidScope)
		})
		t.Run(name+"/password", func(t *testing.T) {
			p, _ := e.tokenCall("/oauth2/token", url.Values{"grant_type": {oauth.GrantPassword}, "username": {"alice"},
				"password": {"correct horse battery"}, "scope": {bad}}, svc)
			wantJSON(t, p, oauth.CodeInvalidScope)
		})
		t.Run(name+"/refresh", func(t *testing.T) {
			p, _ := e.tokenCall("/oauth2/token", url.Values{"grant_type": {oauth.GrantRefreshToken},
				"refresh_token": {refreshToken}, "scope": {bad}}, rp)
			wantJSON(t, p, oauth.CodeInvalidScope)
		})
		t.Run(name+"/device", func(t *testing.T) {
			p, _ := e.tokenCall("/oauth2/device", url.Values{"client_id": {"tv"}, "scope": {bad}}, "")
			wantJSON(t, p, oauth.CodeInvalidScope)
		})
		t.Run(name+"/register", func(t *testing.T) {
			js, _ := json.Marshal(bad)
			p := e.registerRaw("application/json", `{"client_name":"App","client_uri":"https://app.example.com/",`+
				`"redirect_uris":["https://app.example.com/cb"],"scope":`+string(js)+`}`, "")
			wantJSON(t, p, oauth.CodeInvalidClientMetadata)
		})
	}

	t.Run("unknown values are not errors", func(t *testing.T) {
		// The refresh token survived every invalid_scope above.
		p, m := e.tokenCall("/oauth2/token", url.Values{"grant_type": {oauth.GrantRefreshToken},
			"refresh_token": {refreshToken}, "scope": {"openid"}}, rp)
		if p.status != http.StatusOK || m["scope"] != "openid" {
			t.Fatalf("refresh: %d %s", p.status, p.body)
		}
		p, m = e.tokenCall("/oauth2/token", url.Values{"grant_type": {oauth.GrantClientCredentials},
			"scope": {"api no-such-scope"}}, svc)
		if p.status != http.StatusOK || m["scope"] != "api" {
			t.Fatalf("client credentials: %d %s", p.status, p.body)
		}
		p = b.get(authzQuery(web, webRedirect, "openid no-such-scope", "prompt", "x-unknown",
			"ui_locales", "tlh-Latn x-klingon", "acr_values", "urn:example:loa:9 phr"))
		if loc := p.header.Get("Location"); p.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?") {
			t.Fatalf("authorize: %d %q\n%s", p.status, loc, p.body)
		}
	})
}
