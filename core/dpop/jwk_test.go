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

// TestOneThumbprintPerKey: RFC 7638 §3. Another spelling of a key's members (line breaks, which Go's base64
// decoder skips; non-zero trailing bits; padding; a leading zero octet in n or e; an EC coordinate of 31 or 33
// octets) is either refused or given the canonical spelling's thumbprint: a key has one thumbprint.
func TestOneThumbprintPerKey(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	// tweak sets the lowest bit of the last character, one of the bits a value whose length is not a multiple of
	// 3 octets leaves unused.
	tweak := func(s string) string {
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		i := strings.IndexByte(alphabet, s[len(s)-1])
		return s[:len(s)-1] + string(alphabet[i|1])
	}
	n := make([]byte, 256) // 2048 bits: 342 characters, 4 bits unused
	n[0], n[255] = 0x80, 0x10
	rsaKey := func(ns, es string) json.RawMessage {
		b, _ := json.Marshal(map[string]string{"kty": "RSA", "n": ns, "e": es})
		return b
	}
	s := newSigner(t) // a real P-256 point: 43 characters a coordinate, 2 bits unused
	xs, ys := s.jwk["x"].(string), s.jwk["y"].(string)
	ec := func(xs, ys string) json.RawMessage {
		b, _ := json.Marshal(map[string]string{"kty": "EC", "crv": "P-256", "x": xs, "y": ys})
		return b
	}
	x, _ := base64.RawURLEncoding.DecodeString(xs)
	tests := []struct {
		name      string
		jwk, want json.RawMessage // want: the canonical spelling whose thumbprint it must have; nil: refused
	}{
		{"RSA, line breaks in n", rsaKey(enc(n)[:100]+"\n"+enc(n)[100:]+"\r\n", "AQAB"), rsaKey(enc(n), "AQAB")},
		{"RSA, non-zero trailing bits in n", rsaKey(tweak(enc(n)), "AQAB"), nil},
		{"RSA, padding in e", rsaKey(enc(n), "AQAB="), nil},
		{"RSA, leading zero octet in n", rsaKey(enc(append([]byte{0}, n...)), "AQAB"), nil},
		{"RSA, leading zero octet in e", rsaKey(enc(n), "AAEAAQ"), nil},
		{"EC, line break in x", ec(xs[:10]+"\n"+xs[10:], ys), ec(xs, ys)},
		{"EC, non-zero trailing bits in x", ec(tweak(xs), ys), nil},
		{"EC, x of 33 octets", ec(enc(append([]byte{0}, x...)), ys), nil},
		{"EC, x of 31 octets", ec(enc(x[1:]), ys), nil},
	}
	for _, tt := range tests {
		got, err := Thumbprint(tt.jwk)
		if tt.want == nil {
			if err == nil {
				t.Errorf("%s: accepted with %q, want a refusal", tt.name, got)
			}
			continue
		}
		want, werr := Thumbprint(tt.want)
		if werr != nil || err != nil || got != want {
			t.Errorf("%s: %q %v, want %q (%v)", tt.name, got, err, want, werr)
		}
	}
}
