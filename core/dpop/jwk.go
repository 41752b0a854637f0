package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
)

// The RSA moduli accepted in a proof: RFC 7518 §3.3 asks for 2048 bits or larger; above 4096 bits a key buys no
// security a client needs and costs the server a verification per proof that grows with its size (a 16384-bit key
// takes tens of milliseconds), which anyone with a public client_id could make it spend.
const (
	minRSABits = 2048
	maxRSABits = 4096
)

// rsaExponent is the only RSA public exponent accepted (F4, 65537): what every current library generates, and a
// small fixed cost per verification, where an arbitrary exponent up to 2^31-1 would cost up to 31 squarings more.
const rsaExponent = 65537

// privateMembers are the JWK members of private or symmetric keys (RFC 7518 §6.2.2, §6.3.2, §6.4.1): a proof's
// jwk MUST NOT contain a private key (RFC 9449 §4.2), and a symmetric one has no public part at all.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// publicKey parses the jwk header of a proof: an EC P-256 (ES256), OKP Ed25519 (EdDSA) or RSA (RS256, PS256)
// public key, never one with private members. It returns the key and its RFC 7638 thumbprint.
func publicKey(raw json.RawMessage) (crypto.PublicKey, string, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, "", errors.New("the jwk header is not a JSON object")
	}
	for _, p := range privateMembers {
		if _, ok := m[p]; ok {
			return nil, "", errors.New("the jwk header holds a private or symmetric key")
		}
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	// One key, one thumbprint (RFC 7638 §3): members are decoded strictly (no padding, no non-zero trailing bits)
	// and the thumbprint hashes their canonical re-encoding, so the line breaks Go's decoder skips, or another
	// spelling of the same bytes, cannot give the key a second thumbprint.
	b64 := func(k string) ([]byte, error) {
		b, err := base64.RawURLEncoding.Strict().DecodeString(str(k))
		if err != nil || len(b) == 0 {
			return nil, errors.New("the jwk member " + k + " is missing or not base64url")
		}
		return b, nil
	}
	enc := base64.RawURLEncoding.EncodeToString
	switch str("kty") {
	case "EC":
		if str("crv") != "P-256" {
			return nil, "", errors.New("the jwk curve is not P-256")
		}
		x, err := b64("x")
		if err != nil {
			return nil, "", err
		}
		y, err := b64("y")
		if err != nil {
			return nil, "", err
		}
		// RFC 7518 §6.2.1.2: a P-256 coordinate is exactly 32 octets, leading zeros kept, never more or fewer.
		if len(x) != 32 || len(y) != 32 {
			return nil, "", errors.New("the jwk coordinates are not 32 bytes")
		}
		// Decoding the uncompressed point checks that it is on the curve.
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, "", errors.New("the jwk is not a point of P-256")
		}
		return pub, thumbprint(map[string]string{"crv": "P-256", "kty": "EC", "x": enc(x), "y": enc(y)}), nil
	case "OKP":
		if str("crv") != "Ed25519" {
			return nil, "", errors.New("the jwk curve is not Ed25519")
		}
		x, err := b64("x")
		if err != nil {
			return nil, "", err
		}
		if len(x) != ed25519.PublicKeySize {
			return nil, "", errors.New("the jwk is not an Ed25519 public key")
		}
		return ed25519.PublicKey(x), thumbprint(map[string]string{"crv": "Ed25519", "kty": "OKP", "x": enc(x)}), nil
	case "RSA":
		n, err := b64("n")
		if err != nil {
			return nil, "", err
		}
		e, err := b64("e")
		if err != nil {
			return nil, "", err
		}
		// RFC 7518 §6.3.1.1, §6.3.1.2: n and e are unsigned big-endian integers in the fewest octets, so a
		// leading zero octet is another spelling of the same key.
		if n[0] == 0 || e[0] == 0 {
			return nil, "", errors.New("the jwk RSA members have leading zero octets")
		}
		exp := new(big.Int).SetBytes(e)
		if !exp.IsInt64() || exp.Int64() != rsaExponent {
			return nil, "", errors.New("the jwk RSA exponent is not 65537")
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: rsaExponent}
		if bits := pub.N.BitLen(); bits < minRSABits || bits > maxRSABits {
			return nil, "", errors.New("the jwk RSA key is not between 2048 and 4096 bits")
		}
		return pub, thumbprint(map[string]string{"e": enc(e), "kty": "RSA", "n": enc(n)}), nil
	}
	return nil, "", errors.New("the jwk key type is not supported")
}

// thumbprint is the RFC 7638 JWK thumbprint: base64url(SHA-256) of the required members only, in lexicographic
// order without whitespace (§3.2, §3.3), which encoding/json's sorted map keys give.
func thumbprint(required map[string]string) string {
	b, _ := json.Marshal(required)
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Thumbprint returns the RFC 7638 thumbprint of a public JWK (the jkt of RFC 9449 §6.1), for the dpop_jkt
// authorization request parameter's checks and for tests.
func Thumbprint(jwk json.RawMessage) (string, error) {
	_, jkt, err := publicKey(jwk)
	return jkt, err
}
