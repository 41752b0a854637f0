package token

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func TestJWKSPublishesPublicMembersOnly(t *testing.T) {
	e := newEnv(t)
	m := e.ensured(t, nil)
	set := mustJWKS(t, m)

	var want []string
	for _, k := range listed(t, m) {
		want = append(want, k.KID)
	}
	if got := kids(set); !slices.Equal(got, want) {
		t.Fatalf("JWKS kids %v, want the stored keys %v", got, want)
	}

	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(jsonOf(t, set)), &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		kty     string
		members []string // exactly these, sorted
	}{
		{name: "RS256", kty: "RSA", members: []string{"alg", "e", "kid", "kty", "n", "use"}},
		{name: "ES256", kty: "EC", members: []string{"alg", "crv", "kid", "kty", "use", "x", "y"}},
		{name: "EdDSA", kty: "OKP", members: []string{"alg", "crv", "kid", "kty", "use", "x"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := doc.Keys[i]
			var got []string
			for name := range j {
				got = append(got, name)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.members) {
				t.Errorf("members %v, want %v", got, tt.members)
			}
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
				if _, ok := j[private]; ok {
					t.Errorf("private member %q published", private)
				}
			}
			if j["kty"] != tt.kty || j["alg"] != tt.name || j["use"] != "sig" {
				t.Errorf("JWK %v: want kty %s, alg %s, use sig", j, tt.kty, tt.name)
			}
			if j["crv"] != nil && j["crv"] != map[string]string{"EC": "P-256", "OKP": "Ed25519"}[tt.kty] {
				t.Errorf("crv %v", j["crv"])
			}
			if _, err := m.Parse(context.Background(), e.sign(t, m, tt.name), nil); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestJWKSGolden(t *testing.T) {
	e := newEnv(t)
	m := e.manager(t, nil)
	useFixtures(t, m)
	if err := m.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(mustJWKS(t, m), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "jwks.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("JWKS differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
}

func TestThumbprint(t *testing.T) {
	rfc7638N, _ := b64.DecodeString("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
	rfc8037Seed, _ := b64.DecodeString("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
	tests := []struct {
		name string
		alg  string
		pub  any
		want string
	}{
		{name: "RFC 7638 §3.1 RSA", alg: RS256, pub: &rsa.PublicKey{N: new(big.Int).SetBytes(rfc7638N), E: 65537},
			want: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"},
		{name: "RFC 8037 A.3 Ed25519", alg: EdDSA, pub: ed25519.NewKeyFromSeed(rfc8037Seed).Public(),
			want: "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := publicJWK(tt.alg, tt.pub)
			if err != nil {
				t.Fatal(err)
			}
			if j.KeyID != tt.want {
				t.Errorf("thumbprint %s, want %s", j.KeyID, tt.want)
			}
		})
	}
}
