package oauthbearer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// jwk is one key of a JWK Set (RFC 7517 §4), the members a verification key needs.
type jwk struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// publicKey is a usable verification key and the algorithm its JWK pins, if any.
type publicKey struct {
	key crypto.PublicKey
	alg string
}

// keySet holds the issuer's JWKS and fetches it again when a token names a kid it does not know, at most once
// per interval: a client sending made-up kids must not turn each authentication into a request to the
// authorization server.
type keySet struct {
	url      string
	client   *http.Client
	interval time.Duration
	now      func() time.Time

	mu      sync.Mutex
	keys    map[string]publicKey // by kid ("" for a key without one)
	fetched time.Time            // of the last fetch, successful or not
	fetches int                  // for tests
}

// fetch replaces the keys with the JWKS at the set's URL. Called with mu held.
func (s *keySet) fetch(ctx context.Context) error {
	s.fetched, s.fetches = s.now(), s.fetches+1
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	if err := getJSON(ctx, s.client, s.url, &doc); err != nil {
		// The keys already known stay: tokens signed with them keep verifying while the issuer is unreachable.
		return err
	}
	keys := make(map[string]publicKey, len(doc.Keys))
	for _, k := range doc.Keys {
		if k.Use != "" && k.Use != "sig" { // RFC 7517 §4.2: an encryption key does not verify
			continue
		}
		pk, err := k.publicKey()
		if err != nil {
			continue // a key of a kind this package does not use; the others still work
		}
		keys[k.Kid] = publicKey{key: pk, alg: k.Alg}
	}
	s.keys = keys
	return nil
}

// lookup returns the key for kid, fetching the set again when the kid is unknown and the last fetch is older
// than the interval.
func (s *keySet) lookup(ctx context.Context, kid string) (publicKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.find(kid); ok {
		return k, nil
	}
	// A failed fetch counts too, so that an unreachable issuer is not asked again at every authentication.
	if !s.fetched.IsZero() && s.now().Sub(s.fetched) < s.interval {
		return publicKey{}, invalidToken("no key %q in the issuer's JWKS (fetched %s ago; not again before %s)",
			kid, s.now().Sub(s.fetched).Round(time.Second), s.interval)
	}
	if err := s.fetch(ctx); err != nil {
		return publicKey{}, err
	}
	if k, ok := s.find(kid); ok {
		return k, nil
	}
	return publicKey{}, invalidToken("no key %q in the issuer's JWKS", kid)
}

// find returns the key named kid; a token without a kid gets the set's only key, if it has exactly one.
func (s *keySet) find(kid string) (publicKey, bool) {
	if kid == "" && len(s.keys) == 1 {
		for _, k := range s.keys {
			return k, true
		}
	}
	k, ok := s.keys[kid]
	return k, ok
}

// publicKey decodes an RSA (RFC 7518 §6.3), EC (§6.2) or Ed25519 (RFC 8037 §2) public key.
func (k *jwk) publicKey() (crypto.PublicKey, error) {
	switch k.Kty {
	case "RSA":
		n, err1 := b64Int(k.N)
		e, err2 := b64Int(k.E)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 {
			return nil, errors.New("RSA exponent out of range")
		}
		if n.BitLen() < 2048 { // RFC 7518 §3.3: 2048 bits or larger
			return nil, errors.New("RSA modulus shorter than 2048 bits")
		}
		return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
	case "EC":
		var curve elliptic.Curve
		switch k.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, fmt.Errorf("unknown curve %q", k.Crv)
		}
		x, err1 := b64Int(k.X)
		y, err2 := b64Int(k.Y)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		// Build the uncompressed point and let the crypto package check that it is on the curve.
		size := (curve.Params().BitSize + 7) / 8
		if len(x.Bytes()) > size || len(y.Bytes()) > size {
			return nil, errors.New("EC coordinates too long")
		}
		point := make([]byte, 1+2*size)
		point[0] = 4
		x.FillBytes(point[1 : 1+size])
		y.FillBytes(point[1+size:])
		return ecdsa.ParseUncompressedPublicKey(curve, point)
	case "OKP":
		if k.Crv != "Ed25519" {
			return nil, fmt.Errorf("unknown OKP curve %q", k.Crv)
		}
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, errors.New("bad Ed25519 key")
		}
		return ed25519.PublicKey(x), nil
	}
	return nil, fmt.Errorf("unknown kty %q", k.Kty)
}

func b64Int(s string) (*big.Int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, errors.New("bad base64url integer")
	}
	return new(big.Int).SetBytes(b), nil
}
