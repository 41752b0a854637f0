package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
)

// HashClientSecret returns the hex SHA-256 of a client secret, which is all the store keeps.
func HashClientSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CheckClientSecret compares a presented secret with a stored digest in constant time.
func CheckClientSecret(storedHash, presented string) bool {
	if storedHash == "" || presented == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(HashClientSecret(presented)), []byte(storedHash)) == 1
}
