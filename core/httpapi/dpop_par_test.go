package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/core/oauth"
	"golang.org/x/oauth2"
)

// pushWithProof posts form to /oauth2/par with HTTP Basic and the DPoP header values given.
func (e *testEnv) pushWithProof(form url.Values, id, secret string, proofs ...string) (page, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.base+"/oauth2/par", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", tkBasic(id, secret))
	for _, p := range proofs {
		req.Header.Add(dpop.HeaderName, p)
	}
	p := e.browser().do(req)
	return p, jsonOf(e.t, p)
}

// TestDPoPPushedRequest: RFC 9449 §10.1. A DPoP proof sent with a pushed authorization request (htu the PAR
// endpoint) binds the code to its key as dpop_jkt would: the code is then redeemed only with a proof by that key.
// A proof for another URL is refused, and so is a dpop_jkt that is not the proof's key; one that is, is accepted.
func TestDPoPPushedRequest(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	id, secret := e.parClient("PAR DPoP App", false)
	key, other := newES256Key(t), newEdDSAKey(t)
	parURLAbs := e.base + "/oauth2/par"

	for _, tc := range []struct {
		name  string
		form  url.Values
		proof string
		want  string
	}{
		{"proof for the token endpoint", parForm(), key.proof(t, "POST", e.base+"/oauth2/token", proofOpts{}), "invalid_dpop_proof"},
		{"dpop_jkt of another key", parForm(oauth.ParamDPoPJKT, other.jkt(t)), key.proof(t, "POST", parURLAbs, proofOpts{}), "invalid_dpop_proof"},
	} {
		if p, m := e.pushWithProof(tc.form, id, secret, tc.proof); p.status != http.StatusBadRequest || m["error"] != tc.want {
			t.Errorf("%s: %d %s", tc.name, p.status, p.body)
		}
	}
	if p, _ := e.pushWithProof(parForm(oauth.ParamDPoPJKT, key.jkt(t)), id, secret, key.proof(t, "POST", parURLAbs, proofOpts{})); p.status != http.StatusCreated {
		t.Fatalf("dpop_jkt of the proof's key: %d %s", p.status, p.body)
	}

	// The proof alone binds the code.
	p, m := e.pushWithProof(parForm(), id, secret, key.proof(t, "POST", parURLAbs, proofOpts{}))
	uri, _ := m["request_uri"].(string)
	if p.status != http.StatusCreated || uri == "" {
		t.Fatalf("push: %d %s", p.status, p.body)
	}
	q := clientRedirect(t, e.browser().codeFlow(parURL(id, uri), "openid", "profile"), webRedirect)
	cfg := &oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: webRedirect,
		Endpoint: oauth2.Endpoint{TokenURL: e.base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	for name, k := range map[string]*dpopKey{"without a proof": nil, "with another key": other} {
		ctx, _ := dpopClient(t, k)
		if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(testVerifier)); !isOAuthError(err, "invalid_dpop_proof") {
			t.Fatalf("exchange %s: %v", name, err)
		}
	}
	ctx, _ := dpopClient(t, key)
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(testVerifier))
	if err != nil || tok.TokenType != "DPoP" {
		t.Fatalf("exchange with the key: %v %+v", err, tok)
	}
}
