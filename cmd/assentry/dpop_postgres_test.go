package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestServePostgresDPoPTwoInstances runs two real servers of one host (one issuer, as behind a load balancer) on
// one PostgreSQL database: a DPoP proof accepted by A is a replay at B (the jti record is shared), and with
// dpop_nonce: required a nonce issued by A is good at B (the nonce secret is shared).
func TestServePostgresDPoPTwoInstances(t *testing.T) {
	dsn := postgresDB(t)
	a, b := newCLIEnv(t), newCLIEnv(t)
	conf := "grant_types: [authorization_code, refresh_token, client_credentials]\nkey_encryption_key: " + testKEK +
		"\nstore: {backend: postgres, dsn: '" + dsn + "'}\ndpop_nonce: required\n"
	a.appendConfig(conf)
	// B serves A's issuer (the URL clients use, and so the htu of their proofs) under its own address too.
	shareIssuer(t, a, b)
	b.appendConfig("hostnames: ['" + b.addr + "']\n" + conf)
	srvA := a.startServer()
	defer srvA.stop()
	id, secret := a.addServiceClient("dpop-two-instances")
	srvB := b.startServer()
	defer srvB.stop()
	c := loopbackClient()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	x, y := make([]byte, 32), make([]byte, 32)
	key.X.FillBytes(x)
	key.Y.FillBytes(y)
	jwk := map[string]any{"kty": "EC", "crv": "P-256", "x": base64.RawURLEncoding.EncodeToString(x),
		"y": base64.RawURLEncoding.EncodeToString(y)}
	htu := "http://" + a.addr + "/oauth2/token"
	proof := func(nonce string) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"htm": "POST", "htu": htu, "jti": rand.Text(),
			"iat": time.Now().Unix(), "nonce": nonce})
		tok.Header["typ"], tok.Header["jwk"] = "dpop+jwt", jwk
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	type answer struct {
		status int
		Error  string `json:"error"`
		Type   string `json:"token_type"`
		nonce  string
	}
	token := func(addr, p string) answer {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/oauth2/token",
			strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("DPoP", p)
		req.SetBasicAuth(id, secret)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out answer
		_ = json.NewDecoder(res.Body).Decode(&out)
		out.status, out.nonce = res.StatusCode, res.Header.Get("DPoP-Nonce")
		return out
	}
	first := token(a.addr, proof(""))
	if first.Error != "use_dpop_nonce" || first.nonce == "" {
		t.Fatalf("A without a nonce: %+v", first)
	}
	p := proof(first.nonce)
	if got := token(b.addr, p); got.status != http.StatusOK || got.Type != "DPoP" {
		t.Fatalf("B with A's nonce: %+v", got)
	}
	if got := token(a.addr, p); got.Error != "invalid_dpop_proof" {
		t.Fatalf("B's proof replayed at A: %+v", got)
	}
	if got := token(a.addr, proof(first.nonce)); got.status != http.StatusOK {
		t.Fatalf("a fresh proof at A: %+v", got)
	}
}
