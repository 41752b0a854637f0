package token

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

const (
	testHost   = "h1"
	testIssuer = "https://auth.example.com"
	testClient = "client-1"
	idTokenTTL = time.Hour
)

// newClock is the injected clock of the Manager and of the store; tests move it instead of sleeping.
func newClock() *testclock.Clock { return testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) }

// env is a real Badger store on a fake clock.
type env struct {
	clock *testclock.Clock
	st    store.Store
}

func newEnv(t testing.TB) *env {
	t.Helper()
	c := newClock()
	return &env{clock: c, st: badgertest.New(t, c.Now)}
}

// manager returns a Manager of testHost on the env's store; edit adjusts the options.
func (e *env) manager(t testing.TB, edit func(*Options)) *Manager {
	t.Helper()
	o := Options{Host: testHost, Keys: e.st.Keys(), Now: e.clock.Now, MaxTokenTTL: idTokenTTL + 5*time.Minute}
	if edit != nil {
		edit(&o)
	}
	m, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

// ensured is manager plus a successful Ensure.
func (e *env) ensured(t testing.TB, edit func(*Options)) *Manager {
	t.Helper()
	m := e.manager(t, edit)
	if err := m.Ensure(context.Background()); err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	return m
}

// stored returns the raw store records of the host's signing keys.
func (e *env) stored(t testing.TB) []*store.Key {
	t.Helper()
	recs, err := e.st.Keys().List(context.Background(), testHost, keyUse)
	if err != nil {
		t.Fatalf("store List: %v", err)
	}
	return recs
}

// fixture loads the fixed PKCS#8 test key of alg from testdata (never used outside tests).
func fixture(t testing.TB, alg string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", strings.ToLower(alg)+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("testdata/%s.pem: no PEM block", alg)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

// useFixtures makes m generate the fixture keys (once per algorithm).
func useFixtures(t testing.TB, m *Manager) {
	m.generate = func(alg string) (crypto.Signer, error) { return fixture(t, alg), nil }
}

// idClaims is a realistic id_token claim set (OIDC Core §2, §5.1).
type idClaims struct {
	jwt.RegisteredClaims
	Nonce         string   `json:"nonce,omitempty"`
	AuthTime      int64    `json:"auth_time,omitempty"`
	AtHash        string   `json:"at_hash,omitempty"`
	AMR           []string `json:"amr,omitempty"`
	Name          string   `json:"name,omitempty"`
	Email         string   `json:"email,omitempty"`
	EmailVerified bool     `json:"email_verified,omitempty"`
	Locale        string   `json:"locale,omitempty"`
}

func newIDClaims(now time.Time, alg string) *idClaims {
	return &idClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: testIssuer, Subject: "u_8d3f0c0a6b2e4f7a", Audience: jwt.ClaimStrings{testClient},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(idTokenTTL)),
		},
		Nonce: "n-0S6_WzA2Mj", AuthTime: now.Add(-time.Minute).Unix(),
		AtHash: AtHash(alg, "at_Kx8H2mQeVt5rWjN0pLc3sYb7uDf9gAz1oEi4hTk6nRw"), AMR: []string{"pwd"},
		Name: "Juliet Capulet", Email: "juliet@example.com", EmailVerified: true, Locale: "en",
	}
}

// idTokenOpts are the checks a relying party makes.
func idTokenOpts() []jwt.ParserOption {
	return []jwt.ParserOption{jwt.WithIssuer(testIssuer), jwt.WithAudience(testClient), jwt.WithExpirationRequired()}
}

// sign signs a fresh id_token with alg at the env's clock.
func (e *env) sign(t testing.TB, m *Manager, alg string) string {
	t.Helper()
	s, err := m.Sign(context.Background(), alg, newIDClaims(e.clock.Now(), alg))
	if err != nil {
		t.Fatalf("Sign %s: %v", alg, err)
	}
	return s
}

// kidOf returns the kid in a JWT's header, unverified.
func kidOf(t testing.TB, tok string) string {
	t.Helper()
	p, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := p.Header["kid"].(string)
	return kid
}

// jwksKeyfunc verifies tokens the way a relying party does: from the JSON JWKS document alone, decoded here
// independently of the package's JWK type.
func jwksKeyfunc(t testing.TB, set *JWKS) jwt.Keyfunc {
	t.Helper()
	doc, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatal(err)
	}
	keys := map[string]crypto.PublicKey{}
	algs := map[string]string{}
	for _, j := range parsed.Keys {
		pub, err := publicFromJWK(j)
		if err != nil {
			t.Fatalf("JWK %s: %v", j["kid"], err)
		}
		keys[j["kid"]], algs[j["kid"]] = pub, j["alg"]
	}
	return func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		if k, ok := keys[kid]; ok && algs[kid] == tok.Method.Alg() {
			return k, nil
		}
		return nil, fmt.Errorf("kid %q not in the JWKS", kid)
	}
}

func publicFromJWK(j map[string]string) (crypto.PublicKey, error) {
	dec := func(s string) []byte { b, _ := b64.DecodeString(s); return b }
	switch j["kty"] {
	case "RSA":
		return &rsa.PublicKey{N: new(big.Int).SetBytes(dec(j["n"])), E: int(new(big.Int).SetBytes(dec(j["e"])).Int64())}, nil
	case "EC":
		return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, dec(j["x"])...), dec(j["y"])...))
	case "OKP":
		return ed25519.PublicKey(dec(j["x"])), nil
	}
	return nil, fmt.Errorf("unknown kty %q", j["kty"])
}

// kids returns the kids of a JWKS in order.
func kids(set *JWKS) []string {
	out := make([]string, len(set.Keys))
	for i, k := range set.Keys {
		out[i] = k.KeyID
	}
	return out
}
