package httpapi

import (
	"net/http"
	"net/url"
	"testing"
)

// TestDPoPRefreshReuseWithoutKey: RFC 9449 §5 before RFC 9700 §4.14.2. A public client's rotated, DPoP-bound
// refresh token presented again without a proof, or with another key's, is invalid_dpop_proof and ends nothing:
// the grant's current refresh token still works. Presented again with the right key, it is a reuse and the grant
// ends.
func TestDPoPRefreshReuseWithoutKey(t *testing.T) {
	e := newEnv(t)
	e.addUser(dpopUser, dpopPassword)
	_, native, _ := e.flowClients()
	key, thief := newES256Key(t), newES256Key(t)
	tokenURL := e.base + "/oauth2/token"
	code := e.dpopCode(native, nativeCB, []string{"openid", "offline_access"})
	token := func(form url.Values, proofs ...string) (page, map[string]any) {
		t.Helper()
		p := e.tokenPost(form, proofs...)
		return p, jsonOf(t, p)
	}
	refresh := func(rt string) url.Values {
		return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {native}}
	}
	p, m := token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {nativeCB},
		"client_id": {native}, "code_verifier": {testVerifier}}, key.proof(t, "POST", tokenURL, proofOpts{}))
	first, _ := m["refresh_token"].(string)
	if p.status != http.StatusOK || first == "" {
		t.Fatalf("exchange: %d %s", p.status, p.body)
	}
	p, m = token(refresh(first), key.proof(t, "POST", tokenURL, proofOpts{}))
	second, _ := m["refresh_token"].(string)
	if p.status != http.StatusOK || second == "" {
		t.Fatalf("refresh: %d %s", p.status, p.body)
	}

	// The thief replays the rotated token: without a proof, then with its own key.
	if p := e.tokenPost(refresh(first)); oauthError(t, p) != "invalid_dpop_proof" {
		t.Fatalf("reuse without a proof: %d %s", p.status, p.body)
	}
	if p := e.tokenPost(refresh(first), thief.proof(t, "POST", tokenURL, proofOpts{})); oauthError(t, p) != "invalid_dpop_proof" {
		t.Fatalf("reuse with another key: %d %s", p.status, p.body)
	}
	p, m = token(refresh(second), key.proof(t, "POST", tokenURL, proofOpts{}))
	third, _ := m["refresh_token"].(string)
	if p.status != http.StatusOK || third == "" {
		t.Fatalf("the grant was ended by a request without the key: %d %s", p.status, p.body)
	}

	// The right key presenting a rotated token is a reuse (RFC 9700 §4.14.2): the grant ends.
	if p := e.tokenPost(refresh(first), key.proof(t, "POST", tokenURL, proofOpts{})); oauthError(t, p) != "invalid_grant" {
		t.Fatalf("reuse with the key: %d %s", p.status, p.body)
	}
	if p := e.tokenPost(refresh(third), key.proof(t, "POST", tokenURL, proofOpts{})); oauthError(t, p) != "invalid_grant" {
		t.Fatalf("after reuse detection: %d %s", p.status, p.body)
	}
}
