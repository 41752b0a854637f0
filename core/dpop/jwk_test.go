package dpop

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// rsaJWK is an RSA public JWK with a modulus of the given size in bytes (top bit set, odd) and exponent e: the
// size and exponent checks need no real key.
func rsaJWK(nBytes int, e []byte) json.RawMessage {
	n := make([]byte, nBytes)
	n[0], n[nBytes-1] = 0x80, 0x01
	for i := 1; i < nBytes-1; i++ {
		n[i] = byte(i)
	}
	enc := base64.RawURLEncoding.EncodeToString
	b, _ := json.Marshal(map[string]string{"kty": "RSA", "n": enc(n), "e": enc(e)})
	return b
}

// TestRSAKeyLimits: RSA keys of 2048 to 4096 bits with exponent 65537 only, so that a proof cannot make the server
// verify with a huge modulus or exponent.
func TestRSAKeyLimits(t *testing.T) {
	f4 := []byte{1, 0, 1}
	tests := []struct {
		name string
		jwk  json.RawMessage
		want string // "": accepted
	}{
		{"2048 bits", rsaJWK(256, f4), ""},
		{"4096 bits", rsaJWK(512, f4), ""},
		{"2040 bits", rsaJWK(255, f4), "between 2048 and 4096"},
		{"4104 bits", rsaJWK(513, f4), "between 2048 and 4096"},
		{"16384 bits", rsaJWK(2048, f4), "between 2048 and 4096"},
		{"e = 3", rsaJWK(256, []byte{3}), "65537"},
		{"e = 2^31-1", rsaJWK(256, []byte{0x7f, 0xff, 0xff, 0xff}), "65537"},
		{"e = 65539", rsaJWK(256, []byte{1, 0, 3}), "65537"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := publicKey(tt.jwk)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("publicKey: %v; want %q", err, tt.want)
			}
		})
	}
}
