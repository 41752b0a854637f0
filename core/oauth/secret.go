package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
)

// Digest returns the hex SHA-256 of a secret (a client secret, token or code), which is all the store keeps.
// These values are 256-bit random, so a fast hash is enough: no one can guess a preimage.
func Digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CheckClientSecret compares a presented secret with a stored digest in constant time.
func CheckClientSecret(storedHash, presented string) bool {
	if storedHash == "" || presented == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(Digest(presented)), []byte(storedHash)) == 1
}
