package registration

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// deriveSecret is the client_secret of a registered client, exactly as mod_http_oauth2 derives it (docs/architecture.md
// §9): hex(HMAC-SHA256(HMAC-SHA256(key, legacyHost), clientID)). The inner HMAC ties secrets to the host
// (Prosody's VirtualHost name, registration.legacy_host), so a client_id accepted on two hosts sharing a key
// still has a different secret on each. Nothing is stored: the secret is recomputed when the client
// authenticates, and only its digest is compared (oauth.CheckClientSecret, constant time).
func deriveSecret(key []byte, legacyHost, clientID string) string {
	inner := hmac.New(sha256.New, key)
	inner.Write([]byte(legacyHost))
	outer := hmac.New(sha256.New, inner.Sum(nil))
	outer.Write([]byte(clientID))
	return hex.EncodeToString(outer.Sum(nil))
}
