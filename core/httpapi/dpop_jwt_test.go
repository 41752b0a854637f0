package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/core/oauth"
)

// TestDPoPJWTAccessToken: a JWT access token (RFC 9068) issued with a DPoP proof keeps its binding: the stored
// token and the signed JWT both name the key (cnf.jkt, RFC 9449 §6.1), the answer is token_type DPoP, and userinfo
// takes the token under the DPoP scheme only. A token issued without a proof has no cnf.
func TestDPoPJWTAccessToken(t *testing.T) {
	e := newEnv(t, withResources(t))
	secret := e.grantClient("svc", []string{oauth.GrantClientCredentials}, "api")
	key := newES256Key(t)
	tokenURL := e.base + "/oauth2/token"
	post := func(proofs ...string) page {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(url.Values{
			"grant_type": {"client_credentials"}, "resource": {rsJWT}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("svc", secret)
		for _, p := range proofs {
			req.Header.Add(dpop.HeaderName, p)
		}
		return e.browser().do(req)
	}
	p := post(key.proof(t, "POST", tokenURL, proofOpts{}))
	m := jsonOf(t, p)
	value, _ := m["access_token"].(string)
	if p.status != http.StatusOK || m["token_type"] != "DPoP" {
		t.Fatalf("token: %d %s", p.status, p.body)
	}
	at := verifyAT(t, e, value)
	cnf, _ := at.claims["cnf"].(map[string]any)
	if at.header["typ"] != "at+jwt" || cnf["jkt"] != key.jkt(t) {
		t.Fatalf("JWT access token: header %v claims %v; want cnf.jkt %s", at.header, at.claims, key.jkt(t))
	}
	st, err := e.st.Tokens().Get(context.Background(), "test", oauth.Digest(value))
	if err != nil || st.JKT != key.jkt(t) {
		t.Fatalf("stored token: %+v %v", st, err)
	}
	if p := e.resource("Bearer " + value); p.status != http.StatusUnauthorized {
		t.Fatalf("bound JWT as a Bearer token at userinfo: %d", p.status)
	}

	p = post()
	m = jsonOf(t, p)
	value, _ = m["access_token"].(string)
	if p.status != http.StatusOK || m["token_type"] != "Bearer" {
		t.Fatalf("token without a proof: %d %s", p.status, p.body)
	}
	if _, ok := verifyAT(t, e, value).claims["cnf"]; ok {
		t.Fatal("a Bearer JWT access token carries cnf")
	}
}
