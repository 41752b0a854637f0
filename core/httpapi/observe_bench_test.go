package httpapi

import (
	"context"
	"log/slog"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/metrics"
	"github.com/assentry/assentry/store/badger/badgertest"
	"github.com/assentry/assentry/themes"
)

// BenchmarkObserve measures what the metrics middleware adds to a request: the same requests through the fiber
// application of a real host, without an Observer and with core/metrics' (a counter and a histogram per
// request). The requests go to fiber's handler directly, without a socket, so the difference is the middleware's.
//
//	go test -run '^$' -bench BenchmarkObserve -benchmem ./core/httpapi/
func BenchmarkObserve(b *testing.B) {
	settings, _, err := testConfig("http://127.0.0.1:8080").Validate(nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st := badgertest.New(b, nil)
	svc, err := assembly.Build(ctx, &settings.Hosts[0], st, assembly.Options{KeyAlgorithms: testAlgs})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = svc.Close(ctx) })
	if err := svc.Prepare(ctx); err != nil {
		b.Fatal(err)
	}
	theme, err := themes.Load(svc.Settings.Theme)
	if err != nil {
		b.Fatal(err)
	}
	host := NewHost(svc, theme)
	for _, path := range []string{"/healthz", "/oauth2/jwks"} {
		for _, obs := range []struct {
			name string
			o    Observer
		}{{"none", nil}, {"metrics", metrics.New(metrics.Options{Hosts: []string{host.ID}})}} {
			b.Run(path[1:]+"/"+obs.name, func(b *testing.B) {
				srv, err := New(Options{Hosts: []*Host{host}, Logger: slog.New(slog.DiscardHandler), Observer: obs.o})
				if err != nil {
					b.Fatal(err)
				}
				handler := srv.App().Handler()
				var rc fasthttp.RequestCtx
				b.ReportAllocs()
				for b.Loop() {
					rc.Request.Reset()
					rc.Response.Reset()
					rc.Request.Header.SetMethod(fasthttp.MethodGet)
					rc.Request.SetRequestURI(path)
					rc.Request.Header.SetHost("127.0.0.1:8080")
					handler(&rc)
					if rc.Response.StatusCode() != 200 {
						b.Fatalf("%s: %d", path, rc.Response.StatusCode())
					}
				}
			})
		}
	}
}
