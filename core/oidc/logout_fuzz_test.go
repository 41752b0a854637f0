package oidc

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/store/badger/badgertest"
	"github.com/golang-jwt/jwt/v5"
)

const fuzzIssuer = "https://auth.example.com"

// FuzzIDTokenHint runs id_token_hints through Logout.HintSubject and RP-initiated logout requests through
// Logout.Plan: any string as the hint, and valid hints (ES256 and EdDSA, current and expired) with one byte
// replaced. A hint that is accepted names a subject, has this issuer and one audience, and carries a signature
// that verifies, checked here with crypto/ecdsa or crypto/ed25519 directly, under the JWKS key its kid names with
// that key's alg. A mutated hint that is accepted decodes to the same bytes as the original (only the unused
// low bits of a segment's last base64url character may change). Plan fails only with a *LogoutError, and
// redirects only to a post_logout_redirect_uri registered for the client, the hint's audience.
func FuzzIDTokenHint(f *testing.F) {
	ctx := context.Background()
	st := badgertest.New(f, nil)
	keys, err := token.New(token.Options{Host: "h", Keys: st.Keys(), Algorithms: []string{token.ES256, token.EdDSA}})
	if err != nil {
		f.Fatal(err)
	}
	if err := keys.Ensure(ctx); err != nil {
		f.Fatal(err)
	}
	jwks, err := keys.JWKS(ctx)
	if err != nil {
		f.Fatal(err)
	}
	clients := oauth.NewClients("h", st.Clients(), oauth.ServedGrantTypes, nil)
	if _, _, err := clients.Create(ctx, oauth.ClientSpec{ID: "rp", Name: "RP", RedirectURIs: []string{"https://rp.example/cb"},
		PostLogoutRedirectURIs: []string{"https://rp.example/bye", "https://rp.example/bye?x=1"}}); err != nil {
		f.Fatal(err)
	}
	l := &Logout{Issuer: fuzzIssuer, Clients: clients, Keys: keys}
	sign := func(alg string, c jwt.Claims) string {
		s, err := keys.Sign(ctx, alg, c)
		if err != nil {
			f.Fatal(err)
		}
		return s
	}
	now := time.Now()
	claims := func(iss string, aud []string, sub string, exp time.Time) jwt.Claims {
		return jwt.RegisteredClaims{Issuer: iss, Subject: sub, Audience: aud, ExpiresAt: jwt.NewNumericDate(exp)}
	}
	valid := []string{
		sign(token.ES256, claims(fuzzIssuer, []string{"rp"}, "u-1", now.Add(time.Hour))),
		sign(token.EdDSA, claims(fuzzIssuer, []string{"rp"}, "xmpp:alice@example.com", now.Add(-48*time.Hour))),
		sign(token.EdDSA, jwt.MapClaims{"iss": fuzzIssuer, "aud": "rp", "sub": "u-2", "nonce": "n"}),
	}
	for i, hint := range valid {
		if _, ok := checkHint(f, l, jwks, hint); !ok {
			f.Fatalf("the valid hint %q is refused", hint)
		}
		f.Add(hint, "", "https://rp.example/bye", "s", uint(i), byte('A'))
		f.Add(hint, "rp", "https://rp.example/bye?x=1", "", uint(i+len(valid)*(len(hint)-1)), byte('B'))
		f.Add(hint, "other", "https://evil.example/", "s", uint(i+len(valid)*strings.IndexByte(hint, '.')), byte('x'))
	}
	for _, hint := range []string{
		sign(token.ES256, claims("https://other.example", []string{"rp"}, "u-1", now.Add(time.Hour))),
		sign(token.ES256, claims(fuzzIssuer, []string{"rp", "rp2"}, "u-1", now.Add(time.Hour))),
		sign(token.EdDSA, claims(fuzzIssuer, []string{"rp"}, "", now.Add(time.Hour))),
		sign(token.EdDSA, claims(fuzzIssuer, []string{"nobody"}, "u-1", now.Add(time.Hour))),
		"eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20iLCJzdWIiOiJ1IiwiYXVkIjoicnAifQ.",
		"not.a.jwt", "", "..", "eyJ",
	} {
		f.Add(hint, "rp", "https://rp.example/bye", "", uint(0), byte('.'))
	}
	f.Fuzz(func(t *testing.T, hint, clientID, redirect, state string, pos uint, b byte) {
		checkHint(t, l, jwks, hint)
		orig := valid[pos%uint(len(valid))]
		i := int(pos / uint(len(valid)) % uint(len(orig)))
		if orig[i] != b {
			mutated := orig[:i] + string([]byte{b}) + orig[i+1:]
			if _, ok := checkHint(t, l, jwks, mutated); ok && !sameJWT(orig, mutated) {
				t.Fatalf("%q is accepted with byte %d changed to %q, and decodes differently", orig, i, b)
			}
		}
		r := LogoutRequest{IDTokenHint: hint, ClientID: clientID, PostLogoutRedirectURI: redirect, State: state}
		plan, err := l.Plan(ctx, r)
		var le *LogoutError
		switch {
		case errors.As(err, &le):
			return
		case err != nil:
			t.Fatalf("Plan(%+v): %v, want a *LogoutError", r, err)
		}
		if plan.Redirect != "" && (plan.Client == nil || !slices.Contains(plan.Client.PostLogoutRedirectURIs, redirect) ||
			!strings.HasPrefix(plan.Redirect, redirect)) {
			t.Fatalf("Plan(%+v) redirects to %q for client %+v", r, plan.Redirect, plan.Client)
		}
		if hint != "" {
			aud, sub := hintClaims(t, hint)
			if plan.Subject != sub || plan.Client == nil || plan.Client.ID != aud {
				t.Fatalf("Plan(%+v) = %+v, want the hint's subject and audience", r, plan)
			}
		}
	})
}

// checkHint runs HintSubject and checks an accepted hint (FuzzIDTokenHint); it reports whether it was accepted.
func checkHint(t testing.TB, l *Logout, jwks *token.JWKS, hint string) (string, bool) {
	t.Helper()
	sub, err := l.HintSubject(context.Background(), hint)
	if err != nil {
		return "", false
	}
	seg := strings.Split(hint, ".")
	if len(seg) != 3 {
		t.Fatalf("accepted %q, which is not three segments", hint)
	}
	header, sig := decodeSegment(t, seg[0]), decodeSegment(t, seg[2])
	var h struct{ Alg, Kid string }
	if err := json.Unmarshal(header, &h); err != nil {
		t.Fatalf("accepted %q with header %q: %v", hint, header, err)
	}
	if _, s := hintClaims(t, hint); s != sub || sub == "" {
		t.Fatalf("accepted %q with sub %q, HintSubject says %q", hint, s, sub)
	}
	i := slices.IndexFunc(jwks.Keys, func(k token.JWK) bool { return k.KeyID == h.Kid })
	if i < 0 || jwks.Keys[i].Algorithm != h.Alg || !verifySignature(t, jwks.Keys[i], []byte(seg[0]+"."+seg[1]), sig) {
		t.Fatalf("accepted %q, whose signature does not verify under the key its kid names", hint)
	}
	return sub, true
}

// hintClaims decodes an accepted hint's payload and checks its issuer and single audience.
func hintClaims(t testing.TB, hint string) (aud, sub string) {
	t.Helper()
	var c jwt.RegisteredClaims
	if err := json.Unmarshal(decodeSegment(t, strings.Split(hint, ".")[1]), &c); err != nil {
		t.Fatalf("accepted %q whose payload does not decode: %v", hint, err)
	}
	if c.Issuer != fuzzIssuer || len(c.Audience) != 1 {
		t.Fatalf("accepted %q with iss %q and aud %q", hint, c.Issuer, c.Audience)
	}
	return c.Audience[0], c.Subject
}

// verifySignature checks a JWS signature with the standard library alone: ES256 (r || s, RFC 7518 §3.4) or
// EdDSA over Ed25519 (RFC 8037 §3.1).
func verifySignature(t testing.TB, k token.JWK, signed, sig []byte) bool {
	t.Helper()
	switch k.Algorithm {
	case token.ES256:
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, decodeSegment(t, k.X)...), decodeSegment(t, k.Y)...))
		if err != nil || len(sig) != 64 {
			return false
		}
		sum := sha256.Sum256(signed)
		return ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	case token.EdDSA:
		return ed25519.Verify(ed25519.PublicKey(decodeSegment(t, k.X)), signed, sig)
	}
	t.Fatalf("unexpected key algorithm %q", k.Algorithm)
	return false
}

func decodeSegment(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("an accepted JWT has a segment %q that is not base64url: %v", s, err)
	}
	return b
}

// sameJWT reports whether two JWTs decode to the same bytes, segment by segment.
func sameJWT(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		x, err1 := base64.RawURLEncoding.DecodeString(as[i])
		y, err2 := base64.RawURLEncoding.DecodeString(bs[i])
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			return false
		}
	}
	return true
}
