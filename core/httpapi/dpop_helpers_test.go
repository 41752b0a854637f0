package httpapi

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/core/dpop"
	"github.com/golang-jwt/jwt/v5"
)

// dpopKey is a client's DPoP key pair, as a real client keeps one: it signs proofs and publishes its JWK in them.
type dpopKey struct {
	alg    string
	method jwt.SigningMethod
	priv   crypto.Signer
	jwk    map[string]any
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// newES256Key and newEdDSAKey make fresh keys of the two kinds the tests prove with.
func newES256Key(t *testing.T) *dpopKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	x, y := make([]byte, 32), make([]byte, 32)
	k.X.FillBytes(x)
	k.Y.FillBytes(y)
	return &dpopKey{alg: "ES256", method: jwt.SigningMethodES256, priv: k,
		jwk: map[string]any{"kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y)}}
}

func newEdDSAKey(t *testing.T) *dpopKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &dpopKey{alg: "EdDSA", method: jwt.SigningMethodEdDSA, priv: priv,
		jwk: map[string]any{"kty": "OKP", "crv": "Ed25519", "x": b64(pub)}}
}

// jkt is the key's RFC 7638 thumbprint, as the server computes it.
func (k *dpopKey) jkt(t *testing.T) string {
	t.Helper()
	raw, _ := json.Marshal(k.jwk)
	s, err := dpop.Thumbprint(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// proofOpts change one thing of a proof, for the negative tests.
type proofOpts struct {
	ath     string
	nonce   string
	jti     string
	iat     time.Time
	htu     string
	htm     string
	typ     string
	jwk     map[string]any // another jwk header than the key's own
	signer  *dpopKey       // sign with another key than the one in the header
	noIat   bool
	noJTI   bool
	withAth string // access token to hash into ath
}

var jtiSeq struct {
	sync.Mutex
	n int
}

func nextJTI() string {
	jtiSeq.Lock()
	defer jtiSeq.Unlock()
	jtiSeq.n++
	return fmt.Sprintf("jti-%d-%d", time.Now().UnixNano(), jtiSeq.n)
}

// proof makes a DPoP proof for a request (RFC 9449 §4.2), as a client would, with o's changes.
func (k *dpopKey) proof(t *testing.T, method, target string, o proofOpts) string {
	t.Helper()
	claims := jwt.MapClaims{"htm": method, "htu": target, "jti": nextJTI(), "iat": time.Now().Unix()}
	if o.htm != "" {
		claims["htm"] = o.htm
	}
	if o.htu != "" {
		claims["htu"] = o.htu
	}
	if o.jti != "" {
		claims["jti"] = o.jti
	}
	if !o.iat.IsZero() {
		claims["iat"] = o.iat.Unix()
	}
	if o.noIat {
		delete(claims, "iat")
	}
	if o.noJTI {
		delete(claims, "jti")
	}
	if o.nonce != "" {
		claims["nonce"] = o.nonce
	}
	if o.withAth != "" {
		sum := sha256.Sum256([]byte(o.withAth))
		claims["ath"] = b64(sum[:])
	}
	if o.ath != "" {
		claims["ath"] = o.ath
	}
	signer := k
	if o.signer != nil {
		signer = o.signer
	}
	tok := jwt.NewWithClaims(signer.method, claims)
	tok.Header["typ"] = dpop.Type
	if o.typ != "" {
		tok.Header["typ"] = o.typ
	}
	tok.Header["jwk"] = k.jwk
	if o.jwk != nil {
		tok.Header["jwk"] = o.jwk
	}
	s, err := tok.SignedString(signer.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dpopTransport adds a fresh proof by key to every request, as a DPoP client's HTTP stack does: golang.org/x/oauth2
// cannot, so it is given this transport in its context. It proves nothing when key is nil, and remembers the
// server's last DPoP-Nonce to put in the next proof.
type dpopTransport struct {
	t     *testing.T
	key   *dpopKey
	mu    sync.Mutex
	nonce string
}

func (d *dpopTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := d.send(req)
	// use_dpop_nonce (RFC 9449 §8): the answer carries the nonce; a client retries once with it.
	if err == nil && (res.StatusCode == http.StatusBadRequest || res.StatusCode == http.StatusUnauthorized) &&
		res.Header.Get(dpop.HeaderNonce) != "" && d.key != nil && req.GetBody != nil {
		_ = res.Body.Close()
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.Body = body
		return d.send(req)
	}
	return res, err
}

func (d *dpopTransport) send(req *http.Request) (*http.Response, error) {
	if d.key != nil {
		d.mu.Lock()
		nonce := d.nonce
		d.mu.Unlock()
		u := *req.URL
		u.RawQuery, u.Fragment = "", ""
		req = req.Clone(req.Context())
		req.Header.Set(dpop.HeaderName, d.key.proof(d.t, req.Method, u.String(), proofOpts{nonce: nonce}))
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err == nil && res.Header.Get(dpop.HeaderNonce) != "" {
		d.mu.Lock()
		d.nonce = res.Header.Get(dpop.HeaderNonce)
		d.mu.Unlock()
	}
	return res, err
}

// tokenPost posts a token request form with the given DPoP header values (none, one, or several fields).
func (e *testEnv) tokenPost(form url.Values, proofs ...string) page {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.base+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, p := range proofs {
		req.Header.Add(dpop.HeaderName, p)
	}
	return e.browser().do(req)
}

// oauthError is the error member of a JSON error answer.
func oauthError(t *testing.T, p page) string {
	t.Helper()
	var out struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal([]byte(p.body), &out)
	return out.Error
}
