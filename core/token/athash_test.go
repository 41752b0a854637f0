package token

import (
	"crypto/sha512"
	"testing"
)

func TestAtHash(t *testing.T) {
	// OIDC Core 1.0 Appendix A.3: this access token and at_hash (checked independently with Python's hashlib).
	const specToken = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
	sum := sha512.Sum512([]byte(specToken))
	tests := []struct {
		name  string
		alg   string
		token string
		want  string
	}{
		{name: "OIDC Core A.3, RS256", alg: RS256, token: specToken, want: "77QmUPtjPfzWtF2AnpK9RQ"},
		{name: "ES256 hashes with SHA-256 too", alg: ES256, token: specToken, want: "77QmUPtjPfzWtF2AnpK9RQ"},
		{name: "another token, another hash", alg: RS256, token: "jHkWEdUXMU1BwAsC4vtUsZwnNx6qkNT4z3g9tvJFSAY", want: "f3mONyYbZVKBQgnT6Ni7aQ"},
		{name: "EdDSA: left half of SHA-512", alg: EdDSA, token: specToken, want: b64.EncodeToString(sum[:32])},
		{name: "EdDSA, a published vector", alg: EdDSA, token: "dNZX1hEZ9wBCzNL40Upu646bdzQA", want: "8xltSlOGYrWy8W9yNvRlEth1i_bXW-JROWPLvCv5zog"},
		{name: "unknown algorithm", alg: "HS256", token: specToken, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AtHash(tt.alg, tt.token); got != tt.want {
				t.Errorf("AtHash(%s, %q) = %q, want %q", tt.alg, tt.token, got, tt.want)
			}
		})
	}
}
