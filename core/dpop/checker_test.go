package dpop

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
	"github.com/golang-jwt/jwt/v5"
)

const target = "https://id.example/oauth2/token"

// signer makes ES256 proofs at the test clock's time.
type signer struct {
	key *ecdsa.PrivateKey
	jwk map[string]any
	n   int
}

func newSigner(t testing.TB) *signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	x, y := make([]byte, 32), make([]byte, 32)
	k.X.FillBytes(x)
	k.Y.FillBytes(y)
	enc := base64.RawURLEncoding.EncodeToString
	return &signer{key: k, jwk: map[string]any{"kty": "EC", "crv": "P-256", "x": enc(x), "y": enc(y)}}
}

func (s *signer) proof(t testing.TB, at time.Time, nonce string) string {
	s.n++
	c := jwt.MapClaims{"htm": "POST", "htu": target, "jti": time.Now().String() + string(rune('a'+s.n)), "iat": at.Unix()}
	if nonce != "" {
		c["nonce"] = nonce
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, c)
	tok.Header["typ"], tok.Header["jwk"] = Type, s.jwk
	v, err := tok.SignedString(s.key)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// instance is one server's checker of host "h" on the shared store st.
func instance(st store.Store, clock *testclock.Clock, requireNonce bool) *Checker {
	return &Checker{Host: "h", RequireNonce: requireNonce, Now: clock.Now,
		Nonces: &Nonces{Host: "h", Secrets: &StoredSecrets{Host: "h", Keys: st.Keys(), Now: clock.Now}},
		Replay: &Replay{Host: "h", Proofs: st.DPoPProofs()},
		Window: time.Minute}
}

// TestTwoInstances: a proof accepted by one instance is a replay at another instance on the same store, and a
// nonce issued by one is good at the other.
func TestTwoInstances(t *testing.T) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC))
	st := badgertest.New(t, clock.Now)
	a, b := instance(st, clock, true), instance(st, clock, true)
	ctx := context.Background()
	s := newSigner(t)
	_, err := a.Check(ctx, &Request{Method: "POST", URL: target, Proofs: []string{s.proof(t, clock.Now(), "")}})
	var de *Error
	if !errors.As(err, &de) || de.Code != CodeUseNonce || de.Nonce == "" {
		t.Fatalf("without a nonce: %v", err)
	}
	proof := s.proof(t, clock.Now(), de.Nonce)
	p, err := b.Check(ctx, &Request{Method: "POST", URL: target, Proofs: []string{proof}})
	if err != nil || p.JKT == "" || p.NextNonce != "" {
		t.Fatalf("with a's nonce at b: %+v %v", p, err)
	}
	if _, err := a.Check(ctx, &Request{Method: "POST", URL: target, Proofs: []string{proof}}); !errors.As(err, &de) || de.Code != CodeInvalidProof {
		t.Fatalf("b's proof replayed at a: %v", err)
	}
}

// TestNextNonce: a proof with the previous window's nonce is accepted, and the answer carries the current nonce
// (RFC 9449 §8.2); one with the current nonce carries none.
func TestNextNonce(t *testing.T) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC))
	st := badgertest.New(t, clock.Now)
	c := instance(st, clock, true)
	ctx := context.Background()
	s := newSigner(t)
	old, err := c.Nonces.Current(ctx, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(DefaultNonceLifetime)
	cur, _ := c.Nonces.Current(ctx, clock.Now())
	p, err := c.Check(ctx, &Request{Method: "POST", URL: target, Proofs: []string{s.proof(t, clock.Now(), old)}})
	if err != nil || p.NextNonce != cur || cur == old {
		t.Fatalf("stale nonce: %+v %v (current %q)", p, err, cur)
	}
	p, err = c.Check(ctx, &Request{Method: "POST", URL: target, Proofs: []string{s.proof(t, clock.Now(), cur)}})
	if err != nil || p.NextNonce != "" {
		t.Fatalf("current nonce: %+v %v", p, err)
	}
}

// TestClaimsBeforeSignature: a proof that fails a check needing no signature (htm, htu, iat, jti) is refused for
// that, before its signature is verified: a forged or costly signature is never looked at for such a proof.
func TestClaimsBeforeSignature(t *testing.T) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC))
	st := badgertest.New(t, clock.Now)
	c := instance(st, clock, false)
	s := newSigner(t)
	// A proof whose signature is another key's: its claims are fine for target, wrong for another URL.
	forged := func(at time.Time) string {
		p := s.proof(t, at, "")
		other := newSigner(t).proof(t, at, "")
		return p[:strings.LastIndex(p, ".")] + other[strings.LastIndex(other, "."):]
	}
	check := func(method, url, proof string) string {
		t.Helper()
		_, err := c.Check(context.Background(), &Request{Method: method, URL: url, Proofs: []string{proof}})
		var de *Error
		if !errors.As(err, &de) {
			t.Fatalf("Check: %v, want a refusal", err)
		}
		return de.Description
	}
	for _, tt := range []struct {
		name, method, url string
		at                time.Time
		want              string
	}{
		{"right request", "POST", target, clock.Now(), "signature"},
		{"other URL", "POST", "https://id.example/oauth2/userinfo", clock.Now(), "htu"},
		{"other method", "GET", target, clock.Now(), "htm"},
		{"old iat", "POST", target, clock.Now().Add(-time.Hour), "iat"},
	} {
		if got := check(tt.method, tt.url, forged(tt.at)); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q, want it to name %s", tt.name, got, tt.want)
		}
	}
}

// TestRSAProofs: RS256 and PS256 proofs by a 2048-bit key with exponent 65537 are accepted, a PS256 signature
// presented as RS256 is not.
func TestRSAProofs(t *testing.T) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC))
	c := instance(badgertest.New(t, clock.Now), clock, false)
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	jwk := map[string]any{"kty": "RSA", "n": enc(k.N.Bytes()), "e": enc(big.NewInt(int64(k.E)).Bytes())}
	n := 0
	proof := func(m jwt.SigningMethod, alg string) string {
		n++
		tok := jwt.NewWithClaims(m, jwt.MapClaims{"htm": "POST", "htu": target, "jti": "rsa-" + string(rune('a'+n)),
			"iat": clock.Now().Unix()})
		tok.Header["typ"], tok.Header["jwk"] = Type, jwk
		s, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		if alg != "" { // another alg in the header than the one signed with
			parts := strings.Split(s, ".")
			h, _ := json.Marshal(map[string]any{"typ": Type, "alg": alg, "jwk": jwk})
			s = enc(h) + "." + parts[1] + "." + parts[2]
		}
		return s
	}
	for _, tt := range []struct {
		name  string
		proof string
		ok    bool
	}{
		{"RS256", proof(jwt.SigningMethodRS256, ""), true},
		{"PS256", proof(jwt.SigningMethodPS256, ""), true},
		{"PS256 signature as RS256", proof(jwt.SigningMethodPS256, "RS256"), false},
	} {
		_, err := c.Check(context.Background(), &Request{Method: "POST", URL: target, Proofs: []string{tt.proof}})
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}
