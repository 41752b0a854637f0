package httpapi

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/internal/testlog"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

const (
	dpopUser     = "alice"
	dpopPassword = "correct horse battery"
	nativeCB     = "http://127.0.0.1/cb"
)

// dpopCode runs the browser part of the code flow (login, consent) and returns the code.
func (e *testEnv) dpopCode(clientID, redirect string, scopes []string, extra ...string) string {
	e.t.Helper()
	b := e.browser()
	login := b.follow(b.get(authzQuery(clientID, redirect, strings.Join(scopes, " "), extra...)))
	consent := b.follow(b.loginAt(login, dpopUser, dpopPassword))
	q := clientRedirect(e.t, b.consentAt(consent, "granted", scopes...), redirect+"?")
	return q.Get("code")
}

// dpopClient is an oauth2 client whose HTTP requests carry proofs by key (none when key is nil).
func dpopClient(t *testing.T, key *dpopKey) (context.Context, *dpopTransport) {
	tr := &dpopTransport{t: t, key: key}
	return context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: tr, Timeout: 10 * time.Second}), tr
}

// resource calls userinfo with an Authorization header and DPoP proofs.
func (e *testEnv) resource(authorization string, proofs ...string) page {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", authorization)
	for _, p := range proofs {
		req.Header.Add(dpop.HeaderName, p)
	}
	return e.browser().do(req)
}

// introspectAs introspects a token as a confidential client.
func (e *testEnv) introspectAs(id, secret, token string) map[string]any {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.base+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	p := e.browser().do(req)
	var out map[string]any
	if err := json.Unmarshal([]byte(p.body), &out); err != nil || p.status != http.StatusOK {
		e.t.Fatalf("introspect: %d %s", p.status, p.body)
	}
	return out
}

// TestDPoPPublicClientCodeFlow: a public client runs the code flow through golang.org/x/oauth2 with a DPoP proof
// on every request (ES256). The code bound with dpop_jkt refuses another key; the access and refresh tokens are
// bound to the key; refresh works with the same key only; userinfo takes the token only under the DPoP scheme
// with a proof carrying ath; introspection names the key.
func TestDPoPPublicClientCodeFlow(t *testing.T) {
	e := newEnv(t)
	e.addUser(dpopUser, dpopPassword)
	_, native, _ := e.flowClients()
	rs, rsSecret, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "Resource Server", Introspect: true,
		RedirectURIs: []string{webRedirect}})
	if err != nil {
		t.Fatal(err)
	}
	key, other := newES256Key(t), newES256Key(t)
	scopes := []string{"openid", "profile", "offline_access"}
	code := e.dpopCode(native, nativeCB, scopes, oauth.ParamDPoPJKT, key.jkt(t))
	cfg := &oauth2.Config{ClientID: native, RedirectURL: nativeCB, Scopes: scopes,
		Endpoint: oauth2.Endpoint{TokenURL: e.base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}

	// dpop_jkt (RFC 9449 §10): another key's proof, or none, cannot redeem the code, and leaves it unused.
	otherCtx, _ := dpopClient(t, other)
	if _, err := cfg.Exchange(otherCtx, code, oauth2.VerifierOption(testVerifier)); !isOAuthError(err, "invalid_dpop_proof") {
		t.Fatalf("exchange with another key: %v", err)
	}
	noneCtx, _ := dpopClient(t, nil)
	if _, err := cfg.Exchange(noneCtx, code, oauth2.VerifierOption(testVerifier)); !isOAuthError(err, "invalid_dpop_proof") {
		t.Fatalf("exchange without a proof: %v", err)
	}
	ctx, _ := dpopClient(t, key)
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(testVerifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if tok.TokenType != "DPoP" || tok.RefreshToken == "" {
		t.Fatalf("token: type %q, refresh token %t", tok.TokenType, tok.RefreshToken != "")
	}
	for _, v := range []string{tok.AccessToken, tok.RefreshToken} {
		st, err := e.st.Tokens().Get(context.Background(), "test", oauth.Digest(v))
		if err != nil || st.JKT != key.jkt(t) {
			t.Fatalf("stored %s token: jkt %q, %v; want %q", st.Kind, st.JKT, err, key.jkt(t))
		}
	}

	// The resource side (RFC 9449 §7).
	at := tok.AccessToken
	userinfoURL := e.base + "/oauth2/userinfo"
	if p := e.resource("DPoP "+at, key.proof(t, "GET", userinfoURL, proofOpts{withAth: at})); p.status != http.StatusOK || !strings.Contains(p.body, `"sub"`) {
		t.Fatalf("userinfo with DPoP: %d %s", p.status, p.body)
	}
	for _, tc := range []struct {
		name, auth, proof, want string
	}{
		{"Bearer use of a bound token", "Bearer " + at, "", `DPoP realm=`},
		{"Bearer with a proof", "Bearer " + at, key.proof(t, "GET", userinfoURL, proofOpts{withAth: at}), `error="invalid_token"`},
		{"no proof", "DPoP " + at, "", `error="invalid_dpop_proof"`},
		{"missing ath", "DPoP " + at, key.proof(t, "GET", userinfoURL, proofOpts{}), `error="invalid_dpop_proof"`},
		{"wrong ath", "DPoP " + at, key.proof(t, "GET", userinfoURL, proofOpts{withAth: at + "x"}), `error="invalid_dpop_proof"`},
		{"another key", "DPoP " + at, other.proof(t, "GET", userinfoURL, proofOpts{withAth: at}), `error="invalid_dpop_proof"`},
		{"wrong htm", "DPoP " + at, key.proof(t, "POST", userinfoURL, proofOpts{withAth: at}), `error="invalid_dpop_proof"`},
	} {
		var proofs []string
		if tc.proof != "" {
			proofs = append(proofs, tc.proof)
		}
		p := e.resource(tc.auth, proofs...)
		if ch := p.header.Get("WWW-Authenticate"); p.status != http.StatusUnauthorized || !strings.HasPrefix(ch, "DPoP ") ||
			!strings.Contains(ch, tc.want) || !strings.Contains(ch, `algs="ES256 EdDSA RS256 PS256"`) {
			t.Errorf("%s: %d %q", tc.name, p.status, ch)
		}
	}
	// A proof is good once, at the resource too.
	proof := key.proof(t, "GET", userinfoURL, proofOpts{withAth: at})
	if p := e.resource("DPoP "+at, proof); p.status != http.StatusOK {
		t.Fatalf("userinfo: %d %s", p.status, p.body)
	}
	if p := e.resource("DPoP "+at, proof); p.status != http.StatusUnauthorized {
		t.Fatalf("replayed proof at userinfo: %d", p.status)
	}

	// Introspection (RFC 9449 §6.2).
	out := e.introspectAs(rs.ID, rsSecret, at)
	cnf, _ := out["cnf"].(map[string]any)
	if out["active"] != true || out["token_type"] != "DPoP" || cnf["jkt"] != key.jkt(t) {
		t.Fatalf("introspection: %v", out)
	}

	// Refresh (RFC 9449 §5): the public client's refresh token needs a proof by the same key.
	tok.Expiry = time.Now().Add(-time.Minute)
	if _, err := cfg.TokenSource(otherCtx, tok).Token(); !isOAuthError(err, "invalid_dpop_proof") {
		t.Fatalf("refresh with another key: %v", err)
	}
	if _, err := cfg.TokenSource(noneCtx, tok).Token(); !isOAuthError(err, "invalid_dpop_proof") {
		t.Fatalf("refresh without a proof: %v", err)
	}
	fresh, err := cfg.TokenSource(ctx, tok).Token()
	if err != nil {
		t.Fatalf("refresh with the same key: %v", err)
	}
	if fresh.TokenType != "DPoP" || fresh.RefreshToken == tok.RefreshToken {
		t.Fatalf("refreshed: %+v", fresh)
	}
	if out := e.introspectAs(rs.ID, rsSecret, fresh.RefreshToken); out["active"] != true || out["cnf"] == nil {
		t.Fatalf("refreshed refresh token is not bound: %v", out)
	}
}

// TestDPoPConfidentialClient: a confidential client proving with EdDSA gets a bound access token and an unbound
// refresh token (RFC 9449 §5), which it may refresh without a proof (and then gets a Bearer token).
func TestDPoPConfidentialClient(t *testing.T) {
	e := newEnv(t)
	e.addUser(dpopUser, dpopPassword)
	c, secret, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "Web App",
		ClientURI: "https://app.example.com", RedirectURIs: []string{webRedirect}})
	if err != nil {
		t.Fatal(err)
	}
	key := newEdDSAKey(t)
	scopes := []string{"openid", "offline_access"}
	code := e.dpopCode(c.ID, webRedirect, scopes)
	cfg := &oauth2.Config{ClientID: c.ID, ClientSecret: secret, RedirectURL: webRedirect, Scopes: scopes,
		Endpoint: oauth2.Endpoint{TokenURL: e.base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	ctx, _ := dpopClient(t, key)
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(testVerifier))
	if err != nil || tok.TokenType != "DPoP" {
		t.Fatalf("exchange: %v %+v", err, tok)
	}
	at, _ := e.st.Tokens().Get(context.Background(), "test", oauth.Digest(tok.AccessToken))
	rt, _ := e.st.Tokens().Get(context.Background(), "test", oauth.Digest(tok.RefreshToken))
	if at == nil || rt == nil || at.JKT != key.jkt(t) || rt.JKT != "" {
		t.Fatalf("binding: access %+v refresh %+v", at, rt)
	}
	noneCtx, _ := dpopClient(t, nil)
	tok.Expiry = time.Now().Add(-time.Minute)
	fresh, err := cfg.TokenSource(noneCtx, tok).Token()
	if err != nil || fresh.TokenType != "Bearer" {
		t.Fatalf("refresh without a proof: %v %+v", err, fresh)
	}
}

// TestDPoPBoundClient: a client registered with dpop_bound_access_tokens must send a proof (RFC 9449 §5.2),
// whether made through the clients API or declared in the configuration file.
func TestDPoPBoundClient(t *testing.T) {
	e := newEnv(t, withConfig(func(c *config.Config) {
		c.Clients = append(c.Clients, config.Client{ID: "declared", Name: "Declared", TokenEndpointAuthMethod: "none",
			RedirectURIs: []string{nativeCB}, DPoPBoundAccessTokens: true})
	}))
	c, _, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "Bound", Public: true, DPoPBound: true,
		RedirectURIs: []string{nativeCB}})
	if err != nil {
		t.Fatal(err)
	}
	key := newES256Key(t)
	for _, id := range []string{c.ID, "declared"} {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt_unknown"}, "client_id": {id}}
		if p := e.tokenPost(form); p.status != http.StatusBadRequest || oauthError(t, p) != "invalid_dpop_proof" {
			t.Fatalf("%s without a proof: %d %s", id, p.status, p.body)
		}
		if p := e.tokenPost(form, key.proof(t, "POST", e.base+"/oauth2/token", proofOpts{})); oauthError(t, p) != "invalid_grant" {
			t.Fatalf("%s with a proof: %d %s", id, p.status, p.body)
		}
	}
}

// TestDPoPProofChecks: every MUST of RFC 9449 §4.3 at the token endpoint. The request is a refresh with an unknown
// refresh token, so a proof that passes is told invalid_grant and one that fails invalid_dpop_proof.
func TestDPoPProofChecks(t *testing.T) {
	e := newEnv(t)
	_, native, _ := e.flowClients()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt_unknown"}, "client_id": {native}}
	key, other := newES256Key(t), newEdDSAKey(t)
	tokenURL := e.base + "/oauth2/token"
	good := func(o proofOpts) string { return key.proof(t, "POST", tokenURL, o) }
	now := time.Now()
	withPrivate := map[string]any{}
	for k, v := range key.jwk {
		withPrivate[k] = v
	}
	withPrivate["d"] = b64(key.priv.(*ecdsa.PrivateKey).D.FillBytes(make([]byte, 32)))
	tests := []struct {
		name   string
		proofs []string
		want   string
	}{
		{"valid ES256", []string{good(proofOpts{})}, "invalid_grant"},
		{"valid EdDSA", []string{other.proof(t, "POST", tokenURL, proofOpts{})}, "invalid_grant"},
		{"htu with query and fragment, upper-case scheme", []string{good(proofOpts{
			htu: "HTTP" + strings.TrimPrefix(e.base, "http") + "/oauth2/token?x=1#f"})}, "invalid_grant"},
		{"iat within the window", []string{good(proofOpts{iat: now.Add(-50 * time.Second)})}, "invalid_grant"},
		{"no proof", nil, "invalid_grant"},
		{"two DPoP headers", []string{good(proofOpts{}), good(proofOpts{})}, "invalid_dpop_proof"},
		{"not a JWS", []string{"not.a.jws"}, "invalid_dpop_proof"},
		{"wrong htu", []string{good(proofOpts{htu: e.base + "/oauth2/introspect"})}, "invalid_dpop_proof"},
		{"wrong htu host", []string{good(proofOpts{htu: "http://evil.example/oauth2/token"})}, "invalid_dpop_proof"},
		{"wrong htm", []string{good(proofOpts{htm: "GET"})}, "invalid_dpop_proof"},
		{"iat too old", []string{good(proofOpts{iat: now.Add(-5 * time.Minute)})}, "invalid_dpop_proof"},
		{"iat too new", []string{good(proofOpts{iat: now.Add(5 * time.Minute)})}, "invalid_dpop_proof"},
		{"no iat", []string{good(proofOpts{noIat: true})}, "invalid_dpop_proof"},
		{"no jti", []string{good(proofOpts{noJTI: true})}, "invalid_dpop_proof"},
		{"jti with NUL", []string{good(proofOpts{jti: "a\x00b-" + nextJTI()})}, "invalid_dpop_proof"},
		{"jti with a line break", []string{good(proofOpts{jti: "a\nb-" + nextJTI()})}, "invalid_dpop_proof"},
		{"jti of 257 bytes", []string{good(proofOpts{jti: strings.Repeat("j", 257)})}, "invalid_dpop_proof"},
		{"jti of 256 bytes", []string{good(proofOpts{jti: strings.Repeat("k", 256)})}, "invalid_grant"},
		{"jti in UTF-8", []string{good(proofOpts{jti: "jéti-" + nextJTI()})}, "invalid_grant"},
		{"typ JWT", []string{good(proofOpts{typ: "JWT"})}, "invalid_dpop_proof"},
		{"alg none", []string{unsigned(t, key, tokenURL)}, "invalid_dpop_proof"},
		{"alg HS256", []string{hmacProof(t, key, tokenURL)}, "invalid_dpop_proof"},
		{"jwk with a private key", []string{good(proofOpts{jwk: withPrivate})}, "invalid_dpop_proof"},
		{"bad signature", []string{good(proofOpts{signer: newES256Key(t)})}, "invalid_dpop_proof"},
		{"jwk of another type than alg", []string{good(proofOpts{jwk: other.jwk})}, "invalid_dpop_proof"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.tokenPost(form, tt.proofs...)
			if got := oauthError(t, p); got != tt.want || p.status != http.StatusBadRequest {
				t.Fatalf("%d %s; want %s", p.status, p.body, tt.want)
			}
		})
	}
	t.Run("replayed proof", func(t *testing.T) {
		proof := good(proofOpts{})
		if p := e.tokenPost(form, proof); oauthError(t, p) != "invalid_grant" {
			t.Fatalf("first use: %s", p.body)
		}
		if p := e.tokenPost(form, proof); oauthError(t, p) != "invalid_dpop_proof" {
			t.Fatalf("replay: %s", p.body)
		}
		// Another proof with the same jti is a replay too.
		if p := e.tokenPost(form, good(proofOpts{jti: "fixed-jti"})); oauthError(t, p) != "invalid_grant" {
			t.Fatalf("fixed jti: %s", p.body)
		}
		if p := e.tokenPost(form, good(proofOpts{jti: "fixed-jti"})); oauthError(t, p) != "invalid_dpop_proof" {
			t.Fatalf("same jti: %s", p.body)
		}
	})
}

// unsigned is a proof with alg none.
func unsigned(t *testing.T, key *dpopKey, target string) string {
	h, _ := json.Marshal(map[string]any{"typ": dpop.Type, "alg": "none", "jwk": key.jwk})
	c, _ := json.Marshal(map[string]any{"htm": "POST", "htu": target, "jti": nextJTI(), "iat": time.Now().Unix()})
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + "."
}

// hmacProof is a proof MACed with HS256 (a symmetric alg), naming the client's public key.
func hmacProof(t *testing.T, key *dpopKey, target string) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"htm": "POST", "htu": target, "jti": nextJTI(),
		"iat": time.Now().Unix()})
	tok.Header["typ"], tok.Header["jwk"] = dpop.Type, key.jwk
	s, err := tok.SignedString([]byte("a shared secret of thirty-two bytes"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDPoPNonceRequired: with dpop_nonce: required (RFC 9449 §8), a proof without the server's nonce gets
// use_dpop_nonce and a DPoP-Nonce header; the retry with it succeeds, at the token endpoint and at userinfo. The
// oauth2 client's transport retries as a real client does. The metadata lists the proof algorithms.
func TestDPoPNonceRequired(t *testing.T) {
	e := newEnv(t, withConfig(func(c *config.Config) { c.DPoPNonce = config.DPoPNonceRequired }))
	e.addUser(dpopUser, dpopPassword)
	_, native, _ := e.flowClients()
	key := newES256Key(t)
	tokenURL := e.base + "/oauth2/token"
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt_unknown"}, "client_id": {native}}

	p := e.tokenPost(form, key.proof(t, "POST", tokenURL, proofOpts{}))
	nonce := p.header.Get(dpop.HeaderNonce)
	if p.status != http.StatusBadRequest || oauthError(t, p) != "use_dpop_nonce" || nonce == "" {
		t.Fatalf("without a nonce: %d %s %q", p.status, p.body, nonce)
	}
	if p := e.tokenPost(form, key.proof(t, "POST", tokenURL, proofOpts{nonce: nonce})); oauthError(t, p) != "invalid_grant" {
		t.Fatalf("with the nonce: %d %s", p.status, p.body)
	}
	forged := base64.RawURLEncoding.EncodeToString(append([]byte(nonce[:8]), make([]byte, 16)...))
	if p := e.tokenPost(form, key.proof(t, "POST", tokenURL, proofOpts{nonce: forged})); oauthError(t, p) != "use_dpop_nonce" {
		t.Fatalf("forged nonce: %d %s", p.status, p.body)
	}

	// The whole flow through golang.org/x/oauth2, whose transport retries once with the nonce.
	scopes := []string{"openid"}
	code := e.dpopCode(native, nativeCB, scopes)
	cfg := &oauth2.Config{ClientID: native, RedirectURL: nativeCB, Scopes: scopes,
		Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	ctx, tr := dpopClient(t, key)
	tr.nonce = "" // learns it from the first answer
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(testVerifier))
	if err != nil || tok.TokenType != "DPoP" {
		t.Fatalf("exchange: %v", err)
	}
	at, userinfoURL := tok.AccessToken, e.base+"/oauth2/userinfo"
	p = e.resource("DPoP "+at, key.proof(t, "GET", userinfoURL, proofOpts{withAth: at}))
	ch, nonce := p.header.Get("WWW-Authenticate"), p.header.Get(dpop.HeaderNonce)
	if p.status != http.StatusUnauthorized || !strings.Contains(ch, `DPoP `) || !strings.Contains(ch, `error="use_dpop_nonce"`) || nonce == "" {
		t.Fatalf("userinfo without a nonce: %d %q %q", p.status, ch, nonce)
	}
	if p := e.resource("DPoP "+at, key.proof(t, "GET", userinfoURL, proofOpts{withAth: at, nonce: nonce})); p.status != http.StatusOK {
		t.Fatalf("userinfo with the nonce: %d %s", p.status, p.body)
	}

	p = e.browser().get("/.well-known/openid-configuration")
	var md struct {
		Algs []string `json:"dpop_signing_alg_values_supported"`
	}
	if err := json.Unmarshal([]byte(p.body), &md); err != nil || strings.Join(md.Algs, " ") != "ES256 EdDSA RS256 PS256" {
		t.Fatalf("metadata: %v %v", md.Algs, err)
	}
}

// TestDPoPReplayCacheFull: when the instance's replay cache holds dpop_replay_max live proofs, a new proof is
// not let in by evicting one (which would reopen its replay): a proof without the server's nonce is answered
// use_dpop_nonce with a fresh nonce in DPoP-Nonce, and one with it is recorded (never accepted unrecorded, or it
// could be replayed while the nonce lives), up to twice the bound; past that the token endpoint and userinfo
// answer 503 temporarily_unavailable with Retry-After, logged once, and a proof remembered earlier is still
// refused.
func TestDPoPReplayCacheFull(t *testing.T) {
	logs := &testlog.Buffer{}
	e := newEnv(t, withLogger(slog.New(slog.NewTextHandler(logs, nil))), withConfig(func(c *config.Config) {
		max := 2
		c.DPoPReplayMax = &max
	}))
	e.addUser(dpopUser, dpopPassword)
	_, native, _ := e.flowClients()
	key := newES256Key(t)
	tokenURL, userinfoURL := e.base+"/oauth2/token", e.base+"/oauth2/userinfo"

	// Two records without a nonce (none is required): the code exchange and a userinfo call. The cache is full.
	code := e.dpopCode(native, nativeCB, []string{"openid"})
	cfg := &oauth2.Config{ClientID: native, RedirectURL: nativeCB, Scopes: []string{"openid"},
		Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	ctx, _ := dpopClient(t, key)
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(testVerifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	at := tok.AccessToken
	first := key.proof(t, "GET", userinfoURL, proofOpts{withAth: at})
	if p := e.resource("DPoP "+at, first); p.status != http.StatusOK {
		t.Fatalf("userinfo: %d %s", p.status, p.body)
	}

	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt_unknown"}, "client_id": {native}}
	p := e.tokenPost(form, key.proof(t, "POST", tokenURL, proofOpts{}))
	nonce := p.header.Get(dpop.HeaderNonce)
	if p.status != http.StatusBadRequest || oauthError(t, p) != "use_dpop_nonce" || nonce == "" {
		t.Fatalf("full cache, a proof without a nonce: %d %s, DPoP-Nonce %q", p.status, p.body, nonce)
	}
	// With the nonce the proof is recorded and checked (the unknown refresh token is then the only problem), and
	// the same proof again is a replay.
	withNonce := key.proof(t, "POST", tokenURL, proofOpts{nonce: nonce})
	if p := e.tokenPost(form, withNonce); oauthError(t, p) != "invalid_grant" {
		t.Fatalf("full cache, a proof with the nonce: %d %s", p.status, p.body)
	}
	if p := e.tokenPost(form, withNonce); oauthError(t, p) != "invalid_dpop_proof" {
		t.Fatalf("replay of a proof recorded while full: %d %s", p.status, p.body)
	}
	if p := e.resource("DPoP "+at, key.proof(t, "GET", userinfoURL, proofOpts{withAth: at, nonce: nonce})); p.status != http.StatusOK {
		t.Fatalf("userinfo with the nonce, the fourth record: %d %s", p.status, p.body)
	}
	// Twice the bound: refused, whatever the proof carries.
	for i, path := range []string{"token", "userinfo"} {
		var p page
		if path == "token" {
			p = e.tokenPost(form, key.proof(t, "POST", tokenURL, proofOpts{nonce: nonce}))
		} else {
			p = e.resource("DPoP "+at, key.proof(t, "GET", userinfoURL, proofOpts{withAth: at, nonce: nonce}))
		}
		retry, _ := strconv.Atoi(p.header.Get("Retry-After"))
		if p.status != http.StatusServiceUnavailable || retry < 1 || retry > 121 {
			t.Fatalf("cache at twice its bound, %s (%d): %d %s, Retry-After %q", path, i, p.status, p.body, p.header.Get("Retry-After"))
		}
		if path == "token" && (oauthError(t, p) != "temporarily_unavailable" || !strings.Contains(p.body, "DPoP")) {
			t.Fatalf("token endpoint at twice the bound: %s", p.body)
		}
	}
	if p := e.resource("DPoP "+at, first); p.status == http.StatusOK {
		t.Fatalf("replay of a remembered proof: %d %s", p.status, p.body)
	}
	if n := strings.Count(logs.String(), "DPoP replay cache full"); n != 1 {
		t.Fatalf("%d log lines for the full cache, want 1:\n%s", n, logs.String())
	}
}

// TestDPoPProofsPerAddress: rate_limits.dpop_proofs_per_ip bounds the proofs one client address has recorded, at
// the token endpoint and userinfo alike: past it, 429 temporarily_unavailable with Retry-After, before the proof
// is looked at, so one address cannot fill the replay cache; another address is not affected, and a refused proof
// spends nothing.
func TestDPoPProofsPerAddress(t *testing.T) {
	e := newEnv(t, withConfig(func(c *config.Config) {
		c.TrustedProxies = []string{"127.0.0.1"}
		c.RateLimits.DPoPProofsPerIP = every(2, time.Hour)
	}))
	_, native, _ := e.flowClients()
	key := newES256Key(t)
	tokenURL, userinfoURL := e.base+"/oauth2/token", e.base+"/oauth2/userinfo"
	const attacker, other = "203.0.113.66", "198.51.100.5"
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt_unknown"}, "client_id": {native}}
	post := func(from, path, auth, proof string) page {
		t.Helper()
		b := e.browser()
		b.xff = from
		req, _ := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		req.Header.Set(dpop.HeaderName, proof)
		return b.do(req)
	}
	if p := post(attacker, "/oauth2/token", "", key.proof(t, "POST", tokenURL, proofOpts{htm: "GET"})); oauthError(t, p) != "invalid_dpop_proof" {
		t.Fatalf("refused proof: %d %s", p.status, p.body)
	}
	for i := range 2 {
		if p := post(attacker, "/oauth2/token", "", key.proof(t, "POST", tokenURL, proofOpts{})); oauthError(t, p) != "invalid_grant" {
			t.Fatalf("proof %d: %d %s", i, p.status, p.body)
		}
	}
	p := post(attacker, "/oauth2/token", "", key.proof(t, "POST", tokenURL, proofOpts{}))
	if p.status != http.StatusTooManyRequests || oauthError(t, p) != "temporarily_unavailable" || p.header.Get("Retry-After") == "" {
		t.Fatalf("third proof: %d %s", p.status, p.body)
	}
	// userinfo: a bound token (obtained from 127.0.0.1) presented from the limited address.
	e.addUser(dpopUser, dpopPassword)
	code := e.dpopCode(native, nativeCB, []string{"openid"})
	p = e.tokenPost(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {nativeCB},
		"client_id": {native}, "code_verifier": {testVerifier}}, key.proof(t, "POST", tokenURL, proofOpts{}))
	at, _ := jsonOf(t, p)["access_token"].(string)
	if p.status != http.StatusOK || at == "" {
		t.Fatalf("exchange: %d %s", p.status, p.body)
	}
	p = post(attacker, "/oauth2/userinfo", "DPoP "+at, key.proof(t, "POST", userinfoURL, proofOpts{withAth: at}))
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" {
		t.Fatalf("userinfo from the limited address: %d %s", p.status, p.body)
	}
	if p := post(other, "/oauth2/userinfo", "DPoP "+at, key.proof(t, "POST", userinfoURL, proofOpts{withAth: at})); p.status != http.StatusOK {
		t.Fatalf("userinfo from another address: %d %s", p.status, p.body)
	}
	if p := post(other, "/oauth2/token", "", key.proof(t, "POST", tokenURL, proofOpts{})); oauthError(t, p) != "invalid_grant" {
		t.Fatalf("another address: %d %s", p.status, p.body)
	}
}

// TestDPoPNonceRotation: a proof with the previous window's nonce is still accepted, and the successful answer
// carries the current nonce in DPoP-Nonce (RFC 9449 §8.2). The server's clock is a test clock moved past a
// window; the proof window is wide enough for the client's real clock.
func TestDPoPNonceRotation(t *testing.T) {
	clock := testclock.New(time.Now())
	e := newEnv(t, withClock(clock.Now), withGrantTypes(oauth.GrantAuthorizationCode, oauth.GrantClientCredentials),
		withConfig(func(c *config.Config) {
			c.DPoPNonce = config.DPoPNonceRequired
			w := config.Duration(10 * time.Minute)
			c.DPoPProofWindow = &w
		}))
	svc, secret, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "Service",
		GrantTypes: []string{oauth.GrantClientCredentials}})
	if err != nil {
		t.Fatal(err)
	}
	key := newEdDSAKey(t)
	post := func(proof string) page {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.base+"/oauth2/token",
			strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(dpop.HeaderName, proof)
		req.SetBasicAuth(svc.ID, secret)
		return e.browser().do(req)
	}
	tokenURL := e.base + "/oauth2/token"
	p := post(key.proof(t, "POST", tokenURL, proofOpts{}))
	old := p.header.Get(dpop.HeaderNonce)
	if oauthError(t, p) != "use_dpop_nonce" || old == "" {
		t.Fatalf("without a nonce: %d %s", p.status, p.body)
	}
	if p := post(key.proof(t, "POST", tokenURL, proofOpts{nonce: old})); p.status != http.StatusOK || p.header.Get(dpop.HeaderNonce) != "" {
		t.Fatalf("current nonce: %d %s, DPoP-Nonce %q", p.status, p.body, p.header.Get(dpop.HeaderNonce))
	}
	clock.Advance(dpop.DefaultNonceLifetime)
	p = post(key.proof(t, "POST", tokenURL, proofOpts{nonce: old}))
	if next := p.header.Get(dpop.HeaderNonce); p.status != http.StatusOK || next == "" || next == old {
		t.Fatalf("previous window's nonce: %d %s, DPoP-Nonce %q", p.status, p.body, next)
	}
	clock.Advance(dpop.DefaultNonceLifetime)
	if p := post(key.proof(t, "POST", tokenURL, proofOpts{nonce: old})); oauthError(t, p) != "use_dpop_nonce" {
		t.Fatalf("expired nonce: %d %s", p.status, p.body)
	}
}
