package dpop

import (
	"context"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// BenchmarkCheck validates fresh ES256 proofs with the jti recorded in Badger: what DPoP adds to a token or
// userinfo request (the proofs are signed before the timer starts).
func BenchmarkCheck(b *testing.B) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC))
	st := badgertest.New(b, clock.Now)
	c := instance(st, clock, false)
	s := newSigner(b)
	proofs := make([]string, b.N)
	for i := range proofs {
		proofs[i] = s.proof(b, clock.Now(), "")
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := c.Check(ctx, &Request{Method: "POST", URL: target, Proofs: []string{proofs[i]}}); err != nil {
			b.Fatal(err)
		}
	}
}
