package audit_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/assentry/assentry/core/audit"
	"github.com/assentry/assentry/core/events"
)

// BenchmarkSink is the cost the audit log adds to a request that issues a token: one event stamped, encoded and
// appended to a file (one write(2) under the file's lock, no fsync), from as many goroutines as GOMAXPROCS.
func BenchmarkSink(b *testing.B) {
	fs := audit.NewFiles(nil)
	defer fs.Close()
	s, err := fs.Sink(filepath.Join(b.TempDir(), "audit.log"), nil)
	if err != nil {
		b.Fatal(err)
	}
	em := &events.Emitter{Sink: s, Host: "bench"}
	ctx := events.WithRequestID(context.Background(), "0123456789abcdef")
	ev := events.Event{Kind: events.TokenIssued, ClientID: "service-client", ClientKind: events.ClientConfidential,
		GrantType: "client_credentials", GrantID: "Zt0y7HkXQ3u1b2c3d4e5f6", Scope: "api:read api:write"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			em.Emit(ctx, ev)
		}
	})
}
