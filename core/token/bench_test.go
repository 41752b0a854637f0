package token

import (
	"context"
	"testing"
)

// BenchmarkSign signs a realistic id_token with each algorithm from the cached keys (no store access).
func BenchmarkSign(b *testing.B) {
	e := newEnv(b)
	m := e.ensured(b, nil)
	for _, alg := range SupportedAlgorithms() {
		b.Run(alg, func(b *testing.B) {
			ctx := context.Background()
			claims := newIDClaims(e.clock.Now(), alg)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Sign(ctx, alg, claims); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParse verifies such an id_token as Parse's callers do (issuer, audience, expiry required).
func BenchmarkParse(b *testing.B) {
	e := newEnv(b)
	m := e.ensured(b, nil)
	for _, alg := range SupportedAlgorithms() {
		b.Run(alg, func(b *testing.B) {
			ctx := context.Background()
			tok := e.sign(b, m, alg)
			opts := idTokenOpts()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Parse(ctx, tok, &idClaims{}, opts...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
