package oauthbearer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testIssuer serves a discovery document and a JWKS on 127.0.0.1, as an authorization server would, and counts
// the JWKS fetches.
type testIssuer struct {
	srv *httptest.Server

	mu        sync.Mutex
	keys      []map[string]string // the JWKS's keys
	jwksCalls int
	issuer    string // the discovery document's issuer ("": the server's URL)
}

func newTestIssuer(t *testing.T) *testIssuer {
	t.Helper()
	is := &testIssuer{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		is.mu.Lock()
		iss := is.issuer
		is.mu.Unlock()
		if iss == "" {
			iss = is.srv.URL
		}
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": is.srv.URL + "/oauth2/jwks"})
	})
	mux.HandleFunc("GET /oauth2/jwks", func(w http.ResponseWriter, r *http.Request) {
		is.mu.Lock()
		defer is.mu.Unlock()
		is.jwksCalls++
		json.NewEncoder(w).Encode(map[string]any{"keys": is.keys})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

func (is *testIssuer) publish(keys ...map[string]string) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys = keys
}

func (is *testIssuer) calls() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.jwksCalls
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// signingKey is a private key, its JWT method and its public JWK.
type signingKey struct {
	priv   crypto.Signer
	method jwt.SigningMethod
	jwk    map[string]string
}

func rsaKey(t *testing.T, kid string) signingKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{k, jwt.SigningMethodRS256, map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}}
}

func ecKey(t *testing.T, kid string) signingKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := k.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{k, jwt.SigningMethodES256, map[string]string{"kty": "EC", "kid": kid, "crv": "P-256",
		"x": b64(pt[1:33]), "y": b64(pt[33:])}}
}

func edKey(t *testing.T, kid string) signingKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{priv, jwt.SigningMethodEdDSA, map[string]string{"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": b64(pub)}}
}

const testAudience = "imap.example.net"

// claims are RFC 9068 §2.2's, valid at t0 for testAudience: the claims Assentry puts in a user's JWT access token
// (core/oauth/format_jwt.go), no more.
func (is *testIssuer) claims() jwt.MapClaims {
	return jwt.MapClaims{"iss": is.srv.URL, "sub": "0f3a", "aud": testAudience, "client_id": "mail-app",
		"exp": t0.Add(time.Hour).Unix(), "iat": t0.Unix(), "jti": "j1", "scope": "mail openid",
		"auth_time": t0.Add(-time.Minute).Unix(), "amr": []string{"pwd"}}
}

func sign(t *testing.T, k signingKey, header map[string]any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(k.method, claims)
	tok.Header["typ"] = "at+jwt"
	tok.Header["kid"] = k.jwk["kid"]
	for h, v := range header {
		if v == nil {
			delete(tok.Header, h)
		} else {
			tok.Header[h] = v
		}
	}
	s, err := tok.SignedString(k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newTestJWTVerifier(t *testing.T, is *testIssuer, c *clock) *JWTVerifier {
	t.Helper()
	v, err := NewJWTVerifier(context.Background(), JWTConfig{Issuer: is.srv.URL, Audience: testAudience, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestJWTVerifier(t *testing.T) {
	is := newTestIssuer(t)
	rs, ec, ed := rsaKey(t, "rs1"), ecKey(t, "ec1"), edKey(t, "ed1")
	other := rsaKey(t, "rs1") // same kid, not published
	// The RSA key, published for RS256, signing with PS256.
	pss := signingKey{rs.priv, jwt.SigningMethodPS256, rs.jwk}
	is.publish(rs.jwk, ec.jwk, ed.jwk)
	v := newTestJWTVerifier(t, is, &clock{t: t0})
	with := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := is.claims()
		edit(c)
		return c
	}

	tests := []struct {
		name   string
		key    signingKey
		header map[string]any
		claims jwt.MapClaims
		reason string // "": valid
		// username is the Token's Username when valid: none from Assentry's claims, preferred_username (RFC 9068
		// §2.2.2) from another issuer's.
		username string
	}{
		{"RS256", rs, nil, is.claims(), "", ""},
		{"ES256", ec, nil, is.claims(), "", ""},
		{"EdDSA", ed, nil, is.claims(), "", ""},
		{"typ application/at+jwt", rs, map[string]any{"typ": "application/AT+JWT"}, is.claims(), "", ""},
		{"aud array", rs, nil, with(func(c jwt.MapClaims) { c["aud"] = []string{"x", testAudience} }), "", ""},
		{"preferred_username", rs, nil, with(func(c jwt.MapClaims) { c["preferred_username"] = "alice" }), "", "alice"},
		{"typ JWT (an id_token)", rs, map[string]any{"typ": "JWT"}, is.claims(), "not at+jwt", ""},
		{"no typ", rs, map[string]any{"typ": nil}, is.claims(), "not at+jwt", ""},
		{"other key, same kid", other, nil, is.claims(), "signature", ""},
		{"other issuer", rs, nil, with(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }), "iss", ""},
		{"other audience", rs, nil, with(func(c jwt.MapClaims) { c["aud"] = "smtp.example.net" }), "aud", ""},
		{"expired", rs, nil, with(func(c jwt.MapClaims) { c["exp"] = t0.Unix() }), "expired", ""},
		{"no exp", rs, nil, with(func(c jwt.MapClaims) { delete(c, "exp") }), "exp", ""},
		{"iat in the future", rs, nil, with(func(c jwt.MapClaims) { c["iat"] = t0.Add(time.Minute).Unix() }), "before issued", ""},
		{"no sub", rs, nil, with(func(c jwt.MapClaims) { delete(c, "sub") }), "no sub", ""},
		{"no client_id", rs, nil, with(func(c jwt.MapClaims) { delete(c, "client_id") }), "no client_id", ""},
		{"no iat", rs, nil, with(func(c jwt.MapClaims) { delete(c, "iat") }), "no iat", ""},
		{"no jti", rs, nil, with(func(c jwt.MapClaims) { delete(c, "jti") }), "no jti", ""},
		{"DPoP-bound (cnf)", rs, nil, with(func(c jwt.MapClaims) {
			c["cnf"] = map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}
		}), "bound to a key", ""},
		{"alg other than the key's", pss, nil, is.claims(), "is for RS256", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := v.Verify(context.Background(), sign(t, tt.key, tt.header, tt.claims))
			if tt.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tok.Subject != "0f3a" || tok.Username != tt.username || tok.ClientID != "mail-app" || !tok.HasScope("mail") ||
					tok.ForClient || !tok.Expiry.Equal(t0.Add(time.Hour)) || tok.ID != "j1" {
					t.Errorf("token %+v", tok)
				}
				return
			}
			var te *TokenError
			if !errors.As(err, &te) || !strings.Contains(te.Reason, tt.reason) {
				t.Fatalf("got %v, want a TokenError saying %q", err, tt.reason)
			}
		})
	}
}

func TestJWTVerifierRefusesNoneAndHMAC(t *testing.T) {
	is := newTestIssuer(t)
	rs := rsaKey(t, "rs1")
	is.publish(rs.jwk)
	v := newTestJWTVerifier(t, is, &clock{t: t0})
	none := jwt.NewWithClaims(jwt.SigningMethodNone, is.claims())
	none.Header["typ"] = "at+jwt"
	s, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	// An HMAC token keyed with the RSA key's public modulus: the classic algorithm confusion.
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, is.claims())
	hs.Header["typ"], hs.Header["kid"] = "at+jwt", "rs1"
	h, _ := hs.SignedString([]byte(rs.jwk["n"]))
	for _, tok := range []string{s, h} {
		var te *TokenError
		if _, err := v.Verify(context.Background(), tok); !errors.As(err, &te) {
			t.Errorf("accepted or wrong error: %v", err)
		}
	}
	if _, err := NewJWTVerifier(context.Background(), JWTConfig{Issuer: is.srv.URL, Audience: "x", Algorithms: []string{"none", "HS256"}}); err == nil {
		t.Error("none and HS256 accepted as algorithms")
	}
	if _, err := NewJWTVerifier(context.Background(), JWTConfig{Issuer: is.srv.URL}); err == nil || !strings.Contains(err.Error(), "Audience") {
		t.Errorf("no audience: %v", err)
	}
}

// TestJWTVerifierClientToken: Assentry's JWT for a client's own token (client credentials) has the client_id as
// sub and no auth_time, amr or sub_type (core/oauth/format_jwt.go); sub == client_id is what marks it.
func TestJWTVerifierClientToken(t *testing.T) {
	is := newTestIssuer(t)
	rs := rsaKey(t, "rs1")
	is.publish(rs.jwk)
	v := newTestJWTVerifier(t, is, &clock{t: t0})
	c := is.claims()
	c["sub"], c["client_id"] = "reporting", "reporting"
	delete(c, "auth_time")
	delete(c, "amr")
	tok, err := v.Verify(context.Background(), sign(t, rs, nil, c))
	if err != nil || !tok.ForClient || tok.Username != "" || tok.Subject != "reporting" {
		t.Fatalf("%+v %v", tok, err)
	}
	// A user's token of the same client is the user's.
	tok, err = v.Verify(context.Background(), sign(t, rs, nil, is.claims()))
	if err != nil || tok.ForClient {
		t.Fatalf("%+v %v", tok, err)
	}
	a := &Authenticator{Verifier: v}
	if _, err := a.Authenticate(context.Background(), &InitialResponse{Token: sign(t, rs, nil, c)}); err == nil {
		t.Error("a client's own token authenticated without AllowClientTokens")
	}
}

// TestJWTVerifierKeyRotation: a token signed with a key published after the verifier started is accepted (the
// kid miss fetches the JWKS again), and unknown kids fetch it at most once per KeyRefreshInterval.
func TestJWTVerifierKeyRotation(t *testing.T) {
	is := newTestIssuer(t)
	old, next := rsaKey(t, "k1"), ecKey(t, "k2")
	is.publish(old.jwk)
	c := &clock{t: t0}
	v := newTestJWTVerifier(t, is, c)
	if n := is.calls(); n != 1 {
		t.Fatalf("%d JWKS fetches at start, want 1", n)
	}
	ctx := context.Background()
	if _, err := v.Verify(ctx, sign(t, old, nil, is.claims())); err != nil {
		t.Fatal(err)
	}

	c.Add(DefaultKeyRefreshInterval) // the interval since the start has passed
	is.publish(old.jwk, next.jwk)
	if _, err := v.Verify(ctx, sign(t, next, nil, is.claims())); err != nil {
		t.Fatalf("the rotated-in key: %v", err)
	}
	if n := is.calls(); n != 2 {
		t.Fatalf("%d JWKS fetches, want 2", n)
	}

	// Made-up kids: the first right after a fetch does not fetch again, nor the ones after it.
	forged := rsaKey(t, "made-up")
	for i := 0; i < 5; i++ {
		var te *TokenError
		if _, err := v.Verify(ctx, sign(t, forged, nil, is.claims())); !errors.As(err, &te) || !strings.Contains(te.Reason, `no key "made-up"`) {
			t.Fatalf("unknown kid: %v", err)
		}
	}
	if n := is.calls(); n != 2 {
		t.Fatalf("%d JWKS fetches after five unknown kids within the interval, want 2", n)
	}
	c.Add(DefaultKeyRefreshInterval)
	v.Verify(ctx, sign(t, forged, nil, is.claims()))
	if n := is.calls(); n != 3 {
		t.Fatalf("%d JWKS fetches after the interval, want 3", n)
	}
}

// TestJWTVerifierDiscovery: a discovery document naming another issuer is refused at start; a JWKS that
// cannot be fetched is an error, not an invalid token.
func TestJWTVerifierDiscovery(t *testing.T) {
	is := newTestIssuer(t)
	is.mu.Lock()
	is.issuer = "https://other.example"
	is.mu.Unlock()
	if _, err := NewJWTVerifier(context.Background(), JWTConfig{Issuer: is.srv.URL, Audience: testAudience}); err == nil || !strings.Contains(err.Error(), "names the issuer") {
		t.Fatalf("got %v", err)
	}

	is2 := newTestIssuer(t)
	k := rsaKey(t, "k1")
	is2.publish(k.jwk)
	c := &clock{t: t0}
	v := newTestJWTVerifier(t, is2, c)
	is2.srv.Close()
	c.Add(DefaultKeyRefreshInterval)
	k2 := rsaKey(t, "k2")
	_, err := v.Verify(context.Background(), sign(t, k2, nil, is2.claims()))
	var te *TokenError
	if err == nil || errors.As(err, &te) {
		t.Fatalf("an unreachable JWKS: %v, want an error that is not the token's", err)
	}
	// Known keys keep working while the JWKS is unreachable.
	if _, err := v.Verify(context.Background(), sign(t, k, nil, is2.claims())); err != nil {
		t.Fatal(err)
	}
}

// TestJWTExchange: a JWT access token through a whole OAUTHBEARER exchange, and an id_token-like JWT of the same
// issuer refused there with invalid_token.
func TestJWTExchange(t *testing.T) {
	is := newTestIssuer(t)
	k := edKey(t, "k1")
	is.publish(k.jwk)
	a := &Authenticator{Verifier: newTestJWTVerifier(t, is, &clock{t: t0}), RequiredScopes: []string{"mail"}}
	// Assentry's token names the user by sub alone: that is the identity, and the authzid a client may name.
	for _, authzid := range []string{"", "0f3a"} {
		x := a.NewExchange()
		if _, done, err := x.Next(context.Background(), initial(authzid, sign(t, k, nil, is.claims()))); !done || err != nil {
			t.Fatalf("authzid %q: %v %v", authzid, done, err)
		}
		if id := x.Identity(); id.Authzid != "0f3a" || id.Token.Subject != "0f3a" {
			t.Errorf("identity %+v", id)
		}
	}
	x := a.NewExchange()
	if _, done, err := x.Next(context.Background(), initial("alice", sign(t, k, nil, is.claims()))); done || err != nil {
		t.Fatalf("authzid alice with a token naming no username: %v %v (want a failure challenge)", done, err)
	}
	x = a.NewExchange()
	challenge, done, err := x.Next(context.Background(), initial("", sign(t, k, map[string]any{"typ": "JWT"}, is.claims())))
	if done || err != nil {
		t.Fatalf("%v %v", done, err)
	}
	if f, err := ParseFailure(challenge); err != nil || f.Status != StatusInvalidToken {
		t.Errorf("failure %+v %v", f, err)
	}
}
