package oauthbearer

import (
	"context"
	"testing"
	"time"
)

func BenchmarkParseInitialResponse(b *testing.B) {
	msg := (&InitialResponse{Authzid: "alice@example.net", Host: "imap.example.net", Port: 993, Token: tok}).Marshal()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseInitialResponse(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIntrospectorCached is an authentication answered from the cache: what a busy server pays per
// sign-in of a token it has seen within CacheTTL.
func BenchmarkIntrospectorCached(b *testing.B) {
	in, as, _ := newTestIntrospector(b, IntrospectionConfig{})
	as.set("at_1", activeAnswer(t0.Add(time.Hour)))
	ctx := context.Background()
	if _, err := in.Verify(ctx, "at_1"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := in.Verify(ctx, "at_1"); err != nil {
			b.Fatal(err)
		}
	}
}
