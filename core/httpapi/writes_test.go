package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/oauth"
	badgerstore "github.com/assentry/assentry/store/badger"
)

// TestWritesPerFlow counts the store's write transactions (each one sync) of one request of each flow, through
// the real server, so that a change that adds a write to a hot path fails here. Reads (introspection, userinfo)
// write nothing; every token issuance is one write; a silent authorization (a signed-in user, a remembered
// consent) writes only its code and the code's grant, together, and never stores its interaction. A pushed
// authorization request is one write, and using it one more. A JWT access token for a resource (RFC 8707,
// RFC 9068) is stored as an opaque one is, in the same one write.
func TestWritesPerFlow(t *testing.T) {
	e := newEnv(t, withResources(t))
	st := e.st.(*badgerstore.Store)
	e.addUser("alice", "correct horse battery")
	e.tkClient("rp", "rp-secret", oauth.AuthClientSecretBasic, false)
	e.tkClient("rs", "rs-secret", oauth.AuthClientSecretBasic, true)
	svcSecret := e.grantClient("svc", []string{oauth.GrantClientCredentials}, "api")
	const cb = "https://rp.example/cb"
	writes := func(name string, max int64, do func()) {
		t.Helper()
		before := st.Stats().Commits
		do()
		got := st.Stats().Commits - before
		t.Logf("%-22s %d write transaction(s)", name, got)
		if got > max {
			t.Errorf("%s: %d write transactions, want at most %d", name, got, max)
		}
	}
	b := e.browser()
	// The first authorization signs in and consents (remembered: the redirect URI is exact https).
	consent := b.follow(b.loginAt(b.follow(b.get(authzQuery("rp", cb, "openid offline_access"))), "alice", "correct horse battery"))
	b.consentAt(consent, "granted", "openid", "offline_access")

	var code string
	writes("silent authorization", 1, func() {
		p := b.get(authzQuery("rp", cb, "openid offline_access"))
		loc, _ := url.Parse(p.header.Get("Location"))
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), cb) {
			t.Fatalf("silent authorization: %d %q", p.status, p.header.Get("Location"))
		}
		code = loc.Query().Get("code")
	})
	// A pushed request (RFC 9126) is one write; its silent authorization consumes it and stores the code: two.
	var requestURI string
	writes("push", 1, func() {
		requestURI = e.pushed(parForm("redirect_uri", cb, "scope", "openid offline_access"), tkBasic("rp", "rp-secret"))
	})
	writes("pushed authorization", 2, func() {
		p := b.get(parURL("rp", requestURI))
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), cb+"?code=") {
			t.Fatalf("pushed silent authorization: %d %q", p.status, p.header.Get("Location"))
		}
	})
	var tok map[string]any
	writes("code exchange", 1, func() {
		_, tok = e.tokenCall("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {cb}, "code_verifier": {testVerifier}}, tkBasic("rp", "rp-secret"))
		if tok["refresh_token"] == nil {
			t.Fatalf("exchange: %v", tok)
		}
	})
	writes("refresh", 1, func() {
		if _, m := e.tokenCall("/oauth2/token", url.Values{"grant_type": {"refresh_token"},
			"refresh_token": {tok["refresh_token"].(string)}}, tkBasic("rp", "rp-secret")); m["access_token"] == nil {
			t.Fatalf("refresh: %v", m)
		}
	})
	writes("introspection", 0, func() {
		if _, m := e.tokenCall("/oauth2/introspect", url.Values{"token": {tok["access_token"].(string)}}, tkBasic("rs", "rs-secret")); m["active"] != true {
			t.Fatalf("introspection: %v", m)
		}
	})
	writes("userinfo", 0, func() {
		req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
		if p := b.do(req); p.status != http.StatusOK {
			t.Fatalf("userinfo: %d", p.status)
		}
	})
	writes("client credentials", 1, func() {
		if _, m := e.tokenCall("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, tkBasic("svc", svcSecret)); m["access_token"] == nil {
			t.Fatalf("client credentials: %v", m)
		}
	})
	writes("client credentials JWT", 1, func() {
		form := url.Values{"grant_type": {"client_credentials"}, "resource": {rsJWT}}
		if _, m := e.tokenCall("/oauth2/token", form, tkBasic("svc", svcSecret)); strings.Count(fmt.Sprint(m["access_token"]), ".") != 2 {
			t.Fatalf("client credentials for a JWT resource: %v", m)
		}
	})
	writes("revocation", 1, func() {
		form := url.Values{"token": {tok["access_token"].(string)}}
		if p := e.tkPost("/oauth2/revoke", "application/x-www-form-urlencoded", form.Encode(), tkBasic("rp", "rp-secret")); p.status != http.StatusOK {
			t.Fatalf("revocation: %d", p.status)
		}
	})
}
