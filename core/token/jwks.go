package token

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/assentry/assentry/store"
)

// JWKS is an RFC 7517 §5 JWK Set, the document served at /oauth2/jwks. json.Marshal of it is stable: keys in
// Manager order, members in field order.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// JWK is the public half of one signing key (RFC 7517 §4; RSA and EC members RFC 7518 §6.2–6.3; OKP RFC 8037 §2).
// It has no field for a private member (d, p, q, dp, dq, qi), so a JWK can never leak one.
type JWK struct {
	KeyType   string `json:"kty"` // RSA, EC or OKP
	Use       string `json:"use"` // always "sig"
	KeyID     string `json:"kid"`
	Algorithm string `json:"alg"`
	Curve     string `json:"crv,omitempty"` // EC: P-256; OKP: Ed25519
	X         string `json:"x,omitempty"`
	Y         string `json:"y,omitempty"`
	N         string `json:"n,omitempty"` // RSA modulus
	E         string `json:"e,omitempty"` // RSA exponent
}

var b64 = base64.RawURLEncoding

// publicJWK returns the JWK of a public key of alg, with its RFC 7638 thumbprint as kid.
func publicJWK(alg string, pub crypto.PublicKey) (JWK, error) {
	if err := checkPublic(alg, pub); err != nil {
		return JWK{}, err
	}
	j := JWK{Use: keyUse, Algorithm: alg}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		j.KeyType, j.N, j.E = "RSA", b64.EncodeToString(k.N.Bytes()), b64.EncodeToString(big.NewInt(int64(k.E)).Bytes())
	case *ecdsa.PublicKey:
		p, err := k.Bytes() // 0x04 || X || Y, each coordinate its full 32 bytes as RFC 7518 §6.2.1.2 requires
		if err != nil {
			return JWK{}, err
		}
		j.KeyType, j.Curve, j.X, j.Y = "EC", "P-256", b64.EncodeToString(p[1:33]), b64.EncodeToString(p[33:])
	case ed25519.PublicKey:
		j.KeyType, j.Curve, j.X = "OKP", "Ed25519", b64.EncodeToString(k)
	}
	j.KeyID = thumbprint(j)
	return j, nil
}

// thumbprint is the RFC 7638 JWK thumbprint (SHA-256, base64url): the hash of the key's required members in
// lexicographic order without whitespace (RFC 8037 §2 for OKP). Every member is base64url or a fixed name, so no
// JSON escaping is needed.
func thumbprint(j JWK) string {
	var s string
	switch j.KeyType {
	case "RSA":
		s = fmt.Sprintf(`{"e":%q,"kty":"RSA","n":%q}`, j.E, j.N)
	case "EC":
		s = fmt.Sprintf(`{"crv":%q,"kty":"EC","x":%q,"y":%q}`, j.Curve, j.X, j.Y)
	case "OKP":
		s = fmt.Sprintf(`{"crv":%q,"kty":"OKP","x":%q}`, j.Curve, j.X)
	}
	sum := sha256.Sum256([]byte(s))
	return b64.EncodeToString(sum[:])
}

// JWKS returns the public part of every published key: keys that will sign (published PublishAhead before), the
// signing ones, and retired ones until every token they signed has expired. Keys come grouped by algorithm in the
// order of Options.Algorithms (keys of a dropped algorithm last), and within one: the signing key, the next key,
// then retired keys newest first, so a client that naively takes the first key of its algorithm gets the signing
// one.
func (m *Manager) JWKS(ctx context.Context) (*JWKS, error) {
	s, err := m.keySet(ctx)
	if err != nil {
		return nil, err
	}
	now := m.now()
	recs := make([]*loadedKey, 0, len(s.keys))
	for _, k := range s.keys {
		if published(k.rec, now) {
			recs = append(recs, k)
		}
	}
	state := states(s.records(), now, m.ready(s))
	slices.SortStableFunc(recs, func(a, b *loadedKey) int {
		if c := m.algRank(a.rec.Algorithm) - m.algRank(b.rec.Algorithm); c != 0 {
			return c
		}
		if c := stateRank(state[a.rec.ID]) - stateRank(state[b.rec.ID]); c != 0 {
			return c
		}
		return b.rec.NotBefore.Compare(a.rec.NotBefore)
	})
	out := &JWKS{Keys: make([]JWK, len(recs))}
	for i, k := range recs {
		out.Keys[i] = k.jwk
	}
	return out, nil
}

// published reports whether a key is in the JWKS at now: every stored key until its ExpiresAt.
func published(k *store.Key, now time.Time) bool {
	return k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt)
}
