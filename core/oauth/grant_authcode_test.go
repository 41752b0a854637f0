package oauth

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// TestExchangeCodeRules: one case per rule of RFC 6749 §4.1.3, RFC 7636 §4.6 and RFC 9700 §2.1.1 / §4.8.2.
func TestExchangeCodeRules(t *testing.T) {
	short := strings.Repeat("s", 42) // one below RFC 7636's minimum
	tests := []struct {
		name    string
		spec    codeSpec
		client  string   // presenting client; default the code's
		kv      []string // overrides of the default request
		setup   func(e *tokenEnv, grantID string)
		code    string // "" = success
		status  int
		revoked bool // the code's grant must end up revoked
	}{
		{name: "valid"},
		{name: "public client by client_id", spec: codeSpec{client: "spa"}},
		{name: "client_secret_post client", spec: codeSpec{client: "post"}},
		{name: "missing code", kv: []string{"code", ""}, code: CodeInvalidRequest, status: 400},
		{name: "unknown code", kv: []string{"code", PrefixCode + "AAAA"}, code: CodeInvalidGrant, status: 400},
		{name: "not a code", kv: []string{"code", "hello"}, code: CodeInvalidGrant, status: 400},
		// RFC 6749 §4.1.3: refused; the request proves nothing about the code, so its grant is left alone.
		{name: "code of another client", client: "other", kv: []string{"redirect_uri", "https://web.example/cb"},
			code: CodeInvalidGrant, status: 400},
		{name: "redirect_uri missing though given at authorize", kv: []string{"redirect_uri", ""}, code: CodeInvalidRequest, status: 400},
		{name: "redirect_uri differs", kv: []string{"redirect_uri", "https://web.example/other"}, code: CodeInvalidGrant, status: 400},
		{name: "redirect_uri differs by a trailing slash", kv: []string{"redirect_uri", "https://web.example/cb/"}, code: CodeInvalidGrant, status: 400},
		{name: "loopback redirect_uri on another port", spec: codeSpec{client: "spa", redirect: "http://127.0.0.1:5000/cb"},
			kv: []string{"redirect_uri", "http://127.0.0.1:6000/cb"}, code: CodeInvalidGrant, status: 400},
		{name: "loopback redirect_uri identical", spec: codeSpec{client: "spa", redirect: "http://127.0.0.1:5000/cb"},
			kv: []string{"redirect_uri", "http://127.0.0.1:5000/cb"}},
		{name: "redirect_uri not given and not sent", spec: codeSpec{notGiven: true}, kv: []string{"redirect_uri", ""}},
		{name: "redirect_uri not given, sent identical", spec: codeSpec{notGiven: true}},
		{name: "redirect_uri not given, sent different", spec: codeSpec{notGiven: true},
			kv: []string{"redirect_uri", "https://evil.example/cb"}, code: CodeInvalidGrant, status: 400},
		{name: "PKCE wrong verifier", kv: []string{"code_verifier", strings.Repeat("x", 43)}, code: CodeInvalidGrant, status: 400},
		{name: "PKCE short verifier matching its challenge", spec: codeSpec{challenge: s256Challenge(short), challengeMethod: PKCES256},
			kv: []string{"code_verifier", short}, code: CodeInvalidGrant, status: 400},
		{name: "PKCE verifier with a bad character", kv: []string{"code_verifier", tkVerifier + "!"}, code: CodeInvalidGrant, status: 400},
		{name: "PKCE missing verifier", kv: []string{"code_verifier", ""}, code: CodeInvalidGrant, status: 400},
		{name: "PKCE plain", spec: codeSpec{challenge: tkVerifier, challengeMethod: PKCEPlain}},
		{name: "PKCE plain mismatch", spec: codeSpec{challenge: tkVerifier, challengeMethod: PKCEPlain},
			kv: []string{"code_verifier", tkVerifier + "x"}, code: CodeInvalidGrant, status: 400},
		{name: "PKCE S256 challenge sent as the verifier", kv: []string{"code_verifier", s256Challenge(tkVerifier)}, code: CodeInvalidGrant, status: 400},
		{name: "no challenge, no verifier", spec: codeSpec{challenge: "-"}, kv: []string{"code_verifier", ""}},
		{name: "PKCE downgrade: verifier without challenge", spec: codeSpec{challenge: "-"}, code: CodeInvalidGrant, status: 400},
		{name: "disabled user", setup: func(e *tokenEnv, _ string) {
			u := *e.alice
			u.Disabled = true
			if err := e.st.Users().Update(e.ctx, &u, store.UserUpdate{}); err != nil {
				e.t.Fatal(err)
			}
		}, code: CodeInvalidGrant, status: 400},
		{name: "deleted user", setup: func(e *tokenEnv, _ string) {
			if err := e.st.Users().Delete(e.ctx, tkHost, e.alice.ID); err != nil {
				e.t.Fatal(err)
			}
		}, code: CodeInvalidGrant, status: 400, revoked: true}, // deletion revokes the user's grants itself
		{name: "grant revoked since the code was issued", setup: func(e *tokenEnv, g string) {
			if err := e.st.Grants().Revoke(e.ctx, tkHost, g); err != nil {
				e.t.Fatal(err)
			}
		}, code: CodeInvalidGrant, status: 400, revoked: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTokenEnv(t)
			code, grantID := e.newCode(tt.spec)
			if tt.setup != nil {
				tt.setup(e, grantID)
			}
			client := tt.client
			if client == "" {
				client = tt.spec.client
			}
			if client == "" {
				client = "web"
			}
			if tt.spec.redirect != "" {
				tt.kv = append([]string{"redirect_uri", tt.spec.redirect}, tt.kv...)
			}
			resp, err := e.exchange(client, code, tt.kv...)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("exchange: %v", err)
				}
				if !e.usable(resp.AccessToken) {
					t.Fatal("issued access token is not usable")
				}
			} else {
				wantErr(t, err, tt.code, tt.status)
			}
			g, gerr := e.st.Grants().Get(e.ctx, tkHost, grantID)
			if gerr != nil || g.Revoked != tt.revoked {
				t.Fatalf("grant revoked = %v (%v), want %v", g != nil && g.Revoked, gerr, tt.revoked)
			}
		})
	}
}

// TestExchangeCodeExpired: the code's own expiry, checked against the injected clock.
func TestExchangeCodeExpired(t *testing.T) {
	e := newTokenEnv(t)
	live, _ := e.newCode(codeSpec{})
	dead, _ := e.newCode(codeSpec{})
	e.clock.Advance(time.Minute - time.Second)
	if _, err := e.exchange("web", live); err != nil {
		t.Fatalf("a code one second before expiry: %v", err)
	}
	e.clock.Advance(time.Second)
	_, err := e.exchange("web", dead)
	wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
}

// TestCodeReplayRevokesChain: RFC 6749 §4.1.2, RFC 9700 §4.2.4: a second use is refused and revokes every token
// issued from the first.
func TestCodeReplayRevokesChain(t *testing.T) {
	e := newTokenEnv(t)
	code, _ := e.newCode(codeSpec{})
	first, err := e.exchange("web", code)
	if err != nil {
		t.Fatal(err)
	}
	other := e.mustExchange("web") // another grant of the same client and user
	_, err = e.exchange("web", code)
	wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
	if e.usable(first.AccessToken) || e.usable(first.RefreshToken) {
		t.Fatal("tokens of the first exchange survived the replay")
	}
	if _, err := e.refresh("web", first.RefreshToken); err == nil {
		t.Fatal("the refresh token of a replayed code still refreshes")
	}
	if !e.usable(other.AccessToken) {
		t.Fatal("the replay revoked another grant")
	}
}

// TestClientAuthFailureConsumesNothing: docs/architecture.md §4: client authentication comes first, so a request with
// bad credentials (or a public client trying Basic, as golang.org/x/oauth2's auto-detection does) leaves the code
// redeemable.
func TestClientAuthFailureConsumesNothing(t *testing.T) {
	e := newTokenEnv(t)
	code, _ := e.newCode(codeSpec{})
	kv := []string{"grant_type", GrantAuthorizationCode, "code", code, "redirect_uri", "https://web.example/cb", "code_verifier", tkVerifier}
	for _, cr := range []ClientCredentials{{Authorization: basicHeader("web", "wrong")}, {ID: "web"}, {ID: "web", Secret: "web-secret"}} {
		_, err := e.token(cr, kv...)
		wantErr(t, err, CodeInvalidClient, http.StatusUnauthorized)
	}
	if _, err := e.exchange("web", code); err != nil {
		t.Fatalf("the code did not survive failed client authentication: %v", err)
	}

	pub, _ := e.newCode(codeSpec{client: "spa"})
	kv = []string{"grant_type", GrantAuthorizationCode, "code", pub, "redirect_uri", "https://spa.example/cb", "code_verifier", tkVerifier}
	_, err := e.token(ClientCredentials{Authorization: basicHeader("spa", "")}, kv...)
	wantErr(t, err, CodeInvalidClient, http.StatusUnauthorized)
	if _, err := e.token(ClientCredentials{ID: "spa"}, kv...); err != nil {
		t.Fatalf("public client retry in the body: %v", err)
	}
}

// TestCodeRace: racing exchanges of one code: exactly one consumes it (docs/architecture.md §3); every other one is a
// replay, refused and revoking the grant. The consumer then either stored its tokens before a replay revoked the
// grant (they are revoked with it) or finds the grant revoked and is refused too: no live token survives.
func TestCodeRace(t *testing.T) {
	e := newTokenEnv(t)
	code, grantID := e.newCode(codeSpec{})
	const n = 8
	var wg sync.WaitGroup
	results := make([]*TokenResponse, n)
	errs := make([]*Error, n)
	for i := range n {
		wg.Go(func() { results[i], errs[i] = e.exchange("web", code) })
	}
	wg.Wait()
	replays := 0
	for i := range n {
		switch {
		case errs[i] == nil:
			if e.usable(results[i].AccessToken) {
				t.Fatal("a token of the raced code is still usable")
			}
		case errs[i].Code != CodeInvalidGrant:
			t.Fatalf("got %v", errs[i])
		case strings.Contains(errs[i].Description, "already used"):
			replays++
		}
	}
	if replays != n-1 {
		t.Fatalf("%d of %d exchanges saw a used code, want all but one", replays, n)
	}
	g, err := e.st.Grants().Get(e.ctx, tkHost, grantID)
	if err != nil || !g.Revoked {
		t.Fatalf("grant after replays: %+v %v", g, err)
	}
}

// TestExchangeDropsLostRoles: a role scope in the code is issued only while the user still holds the role.
func TestExchangeDropsLostRoles(t *testing.T) {
	e := newTokenEnv(t)
	code, _ := e.newCode(codeSpec{scopes: []string{ScopeOpenID, "admin", ScopeXMPP, ScopeOfflineAccess}})
	u := *e.alice
	u.Roles = []string{"user"}
	if err := e.st.Users().Update(e.ctx, &u, store.UserUpdate{}); err != nil {
		t.Fatal(err)
	}
	resp, err := e.exchange("web", code)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Scope != "openid xmpp offline_access" {
		t.Fatalf("scope %q", resp.Scope)
	}
}

// TestFailedBindingLeavesCodeUnused: the code is checked against its binding (client, redirect_uri,
// code_verifier) before the one write that consumes it and stores its tokens, so a request that fails a check
// spends nothing: the right request afterwards still redeems the code, once.
func TestFailedBindingLeavesCodeUnused(t *testing.T) {
	e := newTokenEnv(t)
	code, _ := e.newCode(codeSpec{})
	for _, kv := range [][]string{
		{"code_verifier", strings.Repeat("x", 43)},
		{"code_verifier", ""},
		{"redirect_uri", "https://web.example/other"},
	} {
		_, err := e.exchange("web", code, kv...)
		wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
	}
	_, err := e.exchange("other", code, "redirect_uri", "https://web.example/cb")
	wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
	if c, err := e.st.Codes().Get(e.ctx, tkHost, Digest(code)); err != nil || !c.UsedAt.IsZero() {
		t.Fatalf("after failed checks the code is %+v, %v; want it unused", c, err)
	}
	resp, err := e.exchange("web", code)
	if err != nil || !e.usable(resp.AccessToken) {
		t.Fatalf("the right request after failed ones: %v", err)
	}
	_, err = e.exchange("web", code)
	wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
}
