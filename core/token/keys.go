package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"

	"github.com/golang-jwt/jwt/v5"
)

// JWS algorithms a Manager keeps keys for (RFC 7518 §3.1; EdDSA is Ed25519, RFC 8037 §3.1). They are the values
// of the id_token_signing_alg setting and of a JWK's "alg".
const (
	RS256 = "RS256"
	ES256 = "ES256"
	EdDSA = "EdDSA"
)

// keyUse is store.Key.Use of signing keys (the store also keeps internal secrets under other uses).
const keyUse = "sig"

// minRSABits is the smallest RSA modulus accepted for signing or verification (NIST SP 800-57: 112-bit security).
const minRSABits = 2048

// ErrUnknownAlgorithm is returned for an algorithm this Manager keeps no keys for.
var ErrUnknownAlgorithm = errors.New("token: unknown signing algorithm")

// SupportedAlgorithms returns the algorithms a Manager can keep keys for, in the default order of
// Options.Algorithms. It returns a fresh slice each time, so no caller can change what another sees.
func SupportedAlgorithms() []string { return []string{RS256, ES256, EdDSA} }

// method returns the golang-jwt signing method of alg, nil for an unknown one.
func method(alg string) jwt.SigningMethod {
	switch alg {
	case RS256:
		return jwt.SigningMethodRS256
	case ES256:
		return jwt.SigningMethodES256
	case EdDSA:
		return jwt.SigningMethodEdDSA
	}
	return nil
}

// generateKey makes a new private key for alg from crypto/rand.
func generateKey(alg string, rsaBits int) (crypto.Signer, error) {
	switch alg {
	case RS256:
		return rsa.GenerateKey(rand.Reader, rsaBits)
	case ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case EdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownAlgorithm, alg)
}

// checkPublic reports whether pub is a key alg can verify with: an RSA key of at least 2048 bits for RS256, a P-256
// key for ES256, an Ed25519 key for EdDSA. A record whose alg and key disagree is refused rather than used.
func checkPublic(alg string, pub crypto.PublicKey) error {
	ok := false
	switch k := pub.(type) {
	case *rsa.PublicKey:
		ok = alg == RS256 && k.N.BitLen() >= minRSABits
	case *ecdsa.PublicKey:
		ok = alg == ES256 && k.Curve == elliptic.P256()
	case ed25519.PublicKey:
		ok = alg == EdDSA && len(k) == ed25519.PublicKeySize
	}
	if !ok {
		return fmt.Errorf("token: a %T is not a %s key", pub, alg)
	}
	return nil
}

// samePublic reports whether two public keys are equal (every crypto/* public key type has an Equal method).
func samePublic(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b)
}

// kept reports whether alg is one of algs.
func kept(algs []string, alg string) bool { return slices.Contains(algs, alg) }
