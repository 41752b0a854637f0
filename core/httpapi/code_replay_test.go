package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/oauth"
)

// TestFailedCodeReplayKeepsSession: end to end over HTTP on real Badger. A code is obtained through the real
// authorize, login and consent pages and redeemed; someone who saw the code but not the code_verifier presents it
// again. That is refused (400 invalid_grant) and ends nothing: the access token still answers at
// /oauth2/userinfo and introspects active. The legitimate client presenting it again is a true replay (RFC 6749
// §4.1.2, RFC 9700 §4.5.3), which does end the chain.
func TestFailedCodeReplayKeepsSession(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	c, secret, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "RP", RedirectURIs: []string{webRedirect}})
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	consent := b.follow(b.loginAt(b.follow(b.get(authzQuery(c.ID, webRedirect, "openid profile"))), "alice", "correct horse battery"))
	code := clientRedirect(t, b.consentAt(consent, "granted", "openid", "profile"), webRedirect+"?").Get("code")
	redeem := func(verifier string) page {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {webRedirect},
			"code_verifier": {verifier}}
		return e.tkPost("/oauth2/token", "application/x-www-form-urlencoded", form.Encode(), tkBasic(c.ID, secret))
	}
	p := redeem(testVerifier)
	if p.status != http.StatusOK {
		t.Fatalf("first redemption: %d %s", p.status, p.body)
	}
	at := jsonOf(t, p)["access_token"].(string)
	userinfo := func() int {
		req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+at)
		return e.browser().do(req).status
	}
	introspect := func() bool {
		p := e.tkPost("/oauth2/introspect", "application/x-www-form-urlencoded",
			url.Values{"token": {at}}.Encode(), tkBasic(c.ID, secret))
		return jsonOf(t, p)["active"] == true
	}

	p = redeem(strings.Repeat("A", 43))
	if m := jsonOf(t, p); p.status != http.StatusBadRequest || m["error"] != "invalid_grant" {
		t.Fatalf("replay with a wrong verifier: %d %v", p.status, m)
	}
	if st := userinfo(); st != http.StatusOK {
		t.Fatalf("userinfo after a failed replay: %d, want 200", st)
	}
	if !introspect() {
		t.Fatal("the access token is inactive after a failed replay")
	}

	p = redeem(testVerifier)
	if m := jsonOf(t, p); p.status != http.StatusBadRequest || m["error"] != "invalid_grant" {
		t.Fatalf("true replay: %d %v", p.status, m)
	}
	if st := userinfo(); st != http.StatusUnauthorized {
		t.Fatalf("userinfo after a true replay: %d, want 401", st)
	}
	if introspect() {
		t.Fatal("the access token is active after a true replay")
	}
}
