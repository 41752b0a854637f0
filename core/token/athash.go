package token

import (
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// AtHash returns the at_hash of accessToken for an id_token signed with alg (OIDC Core §3.1.3.6): the left-most
// half of the hash of its ASCII octets, base64url without padding, where the hash is that of alg's JWS signature:
// SHA-256 for RS256 and ES256, SHA-512 for EdDSA (Ed25519 signs with SHA-512; github.com/coreos/go-oidc/v3
// verifies EdDSA id_tokens so). The same rule gives c_hash for a code (§3.3.2.11). It returns "" for an algorithm
// it does not know, which no kept algorithm is.
func AtHash(alg, accessToken string) string {
	var h hash.Hash
	switch alg {
	case RS256, ES256:
		h = sha256.New()
	case EdDSA:
		h = sha512.New()
	default:
		return ""
	}
	h.Write([]byte(accessToken))
	sum := h.Sum(nil)
	return b64.EncodeToString(sum[:len(sum)/2])
}
