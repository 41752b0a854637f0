package token

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestSignParseRoundTrip(t *testing.T) {
	e := newEnv(t)
	m := e.ensured(t, nil)
	byAlg := map[string]KeyInfo{}
	for _, k := range listed(t, m) {
		byAlg[k.Algorithm] = k
	}
	tests := []struct {
		name string
		alg  string
	}{
		{name: "RS256", alg: RS256},
		{name: "ES256", alg: ES256},
		{name: "EdDSA", alg: EdDSA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			want := newIDClaims(e.clock.Now(), tt.alg)
			raw, err := m.Sign(ctx, tt.alg, want)
			if err != nil {
				t.Fatal(err)
			}
			got := &idClaims{}
			tok, err := m.Parse(ctx, raw, got, idTokenOpts()...)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			wantHeader := map[string]any{"alg": tt.alg, "kid": byAlg[tt.alg].KID, "typ": "JWT"}
			if !reflect.DeepEqual(tok.Header, wantHeader) {
				t.Errorf("header %v, want %v", tok.Header, wantHeader)
			}
			if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
				t.Errorf("claims %s, want %s", g, w)
			}
			if _, err := jwt.ParseWithClaims(raw, &idClaims{}, jwksKeyfunc(t, mustJWKS(t, m)),
				append(idTokenOpts(), jwt.WithTimeFunc(e.clock.Now))...); err != nil {
				t.Errorf("a relying party using the JWKS refuses it: %v", err)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	m := e.ensured(t, nil)
	other := newEnv(t).ensured(t, nil) // another store: another host's keys, even under the same host id
	sameStoreOtherHost := e.ensured(t, func(o *Options) { o.Host = "h2" })
	rsKID := kidOf(t, e.sign(t, m, RS256))
	rsPub := pemPublic(t, m, RS256)

	claims := func() *idClaims { return newIDClaims(e.clock.Now(), RS256) }
	forge := func(method jwt.SigningMethod, kid string, key any) string {
		tok := jwt.NewWithClaims(method, claims())
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	otherKey := func(alg string) any {
		s, _ := other.keySet(ctx)
		return s.signer(alg, e.clock.Now(), other.ready(s)).signer
	}
	ourKey := func(alg string) any { s, _ := m.keySet(ctx); return s.signer(alg, e.clock.Now(), m.ready(s)).signer }

	tests := []struct {
		name  string
		token func() string
		opts  []jwt.ParserOption
		want  error
	}{
		{name: "another store's key", token: func() string { return e.sign(t, other, RS256) }, want: jwt.ErrTokenUnverifiable},
		{name: "another host's key in the same store", token: func() string { return e.sign(t, sameStoreOtherHost, ES256) }, want: jwt.ErrTokenUnverifiable},
		{name: "our kid, another key", token: func() string { return forge(jwt.SigningMethodRS256, rsKID, otherKey(RS256)) }, want: jwt.ErrTokenSignatureInvalid},
		{name: "alg none", token: func() string { return forge(jwt.SigningMethodNone, rsKID, jwt.UnsafeAllowNoneSignatureType) }, want: jwt.ErrTokenSignatureInvalid},
		{name: "HS256 keyed with the public key PEM", token: func() string { return forge(jwt.SigningMethodHS256, rsKID, rsPub) }, want: jwt.ErrTokenSignatureInvalid},
		{name: "HS256 keyed with the public key DER", token: func() string {
			der, _ := pem.Decode(rsPub)
			return forge(jwt.SigningMethodHS256, rsKID, der.Bytes)
		}, want: jwt.ErrTokenSignatureInvalid},
		{name: "our ES256 key under the RS256 key's kid", token: func() string { return forge(jwt.SigningMethodES256, rsKID, ourKey(ES256)) }, want: jwt.ErrTokenUnverifiable},
		{name: "no kid", token: func() string { return forge(jwt.SigningMethodRS256, "", ourKey(RS256)) }, want: jwt.ErrTokenUnverifiable},
		{name: "tampered signature", token: func() string { return tamper(e.sign(t, m, EdDSA), 2) }, want: jwt.ErrTokenSignatureInvalid},
		{name: "tampered claims", token: func() string { return otherSubject(t, e.sign(t, m, ES256)) }, want: jwt.ErrTokenSignatureInvalid},
		{name: "caller narrows the methods", token: func() string { return e.sign(t, m, RS256) },
			opts: []jwt.ParserOption{jwt.WithValidMethods([]string{ES256})}, want: jwt.ErrTokenSignatureInvalid},
		{name: "wrong audience", token: func() string { return e.sign(t, m, RS256) },
			opts: []jwt.ParserOption{jwt.WithAudience("client-2")}, want: jwt.ErrTokenInvalidAudience},
		{name: "expired by the Manager's clock", token: func() string {
			s := e.sign(t, m, EdDSA)
			e.clock.Advance(idTokenTTL + time.Second)
			return s
		}, want: jwt.ErrTokenExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Parse(ctx, tt.token(), &idClaims{}, tt.opts...)
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignRefusesUnknownAlgorithm(t *testing.T) {
	e := newEnv(t)
	m := e.ensured(t, func(o *Options) { o.Algorithms = []string{ES256} })
	for _, alg := range []string{"HS256", "none", RS256, ""} {
		if _, err := m.Sign(context.Background(), alg, jwt.MapClaims{}); !errors.Is(err, ErrUnknownAlgorithm) {
			t.Errorf("Sign(%q) error = %v, want ErrUnknownAlgorithm", alg, err)
		}
	}
}

func TestSignBeforeEnsureReportsNoKey(t *testing.T) {
	e := newEnv(t)
	m := e.manager(t, nil)
	_, err := m.Sign(context.Background(), RS256, jwt.MapClaims{})
	if err == nil || !strings.Contains(err.Error(), "no RS256 key that can sign now") {
		t.Errorf("Sign before Ensure: %v", err)
	}
}

// tamper changes one character in the middle of segment i of a JWT.
func tamper(tok string, i int) string {
	parts := strings.Split(tok, ".")
	b := []byte(parts[i])
	mid := len(b) / 2
	if b[mid] == 'A' {
		b[mid] = 'B'
	} else {
		b[mid] = 'A'
	}
	parts[i] = string(b)
	return strings.Join(parts, ".")
}

// otherSubject swaps the sub claim of a signed JWT, keeping its signature.
func otherSubject(t testing.TB, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	c["sub"] = "u_admin"
	parts[1] = b64.EncodeToString([]byte(jsonOf(t, c)))
	return strings.Join(parts, ".")
}

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pemPublic is the PEM of the public key signing alg: what an attacker finds in the JWKS.
func pemPublic(t testing.TB, m *Manager, alg string) []byte {
	t.Helper()
	s, err := m.keySet(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(s.signer(alg, m.now(), m.ready(s)).public)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func mustJWKS(t testing.TB, m *Manager) *JWKS {
	t.Helper()
	set, err := m.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return set
}
