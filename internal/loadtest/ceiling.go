package loadtest

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"time"
)

// ceiling: the same client against a bare HTTP server that this run starts on 127.0.0.1 and that answers a
// tiny JSON body: the most that the client, the loopback and an HTTP server can do per second on this machine,
// which the other scenarios are compared to. It is net/http (only core/httpapi imports fiber,
// docs/architecture.md §1), on the client's own CPUs: pinning the command pins both.
type ceiling struct {
	o   *Options
	tr  *http.Transport
	srv *http.Server
	c   *conn
	url string
}

var ceilingBody = []byte(`{"ok":true}`)

func (s *ceiling) legs() []string { return nil }

func (s *ceiling) setup(context.Context) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return atStep("starting the ceiling server on 127.0.0.1", err)
	}
	s.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = []string{"application/json"}
		_, _ = w.Write(ceilingBody)
	})}
	go func() { _ = s.srv.Serve(ln) }()
	s.url = "http://" + ln.Addr().String() + "/"
	s.c = &conn{tr: s.tr, hc: &http.Client{Transport: s.tr, CheckRedirect: noRedirects}}
	return nil
}

func (s *ceiling) close() {
	if s.srv != nil {
		_ = s.srv.Close()
	}
}

func (s *ceiling) newWorker(context.Context, int) (worker, error) {
	return &ceilingWorker{c: s.c, url: s.url}, nil
}

type ceilingWorker struct {
	c   *conn
	url string
}

func (w *ceilingWorker) iterate(ctx context.Context, _ []time.Duration) (string, bool) {
	res, err := w.c.get(ctx, w.url, nil, nil)
	if err != nil {
		return transportKind(err), false
	}
	if err := drain(res); err != nil {
		return transportKind(err), false
	}
	if res.StatusCode != http.StatusOK {
		return "HTTP " + strconv.Itoa(res.StatusCode), false
	}
	return "", false
}
