package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// requestLog is an Observer recording each request as "host endpoint status".
type requestLog struct {
	mu  sync.Mutex
	got []string
}

func (r *requestLog) ObserveRequest(host, endpoint string, status int, took time.Duration) {
	if took < 0 {
		panic("negative duration")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, host+" "+endpoint+" "+http.StatusText(status))
}

func (r *requestLog) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		return ""
	}
	return r.got[len(r.got)-1]
}

// TestObserveRequests: every answer is reported once, with the host's id, the route pattern that answered (never
// the path asked for) and the status sent, errors turned into answers by the error handler included.
func TestObserveRequests(t *testing.T) {
	obs := &requestLog{}
	e := newEnv(t, withObserver(obs))
	b := e.browser()
	withHost := func(method, path, host string) page {
		req, _ := http.NewRequest(method, e.base+path, nil)
		req.Host = host
		return b.do(req)
	}
	form := func(path string, v url.Values) page {
		req, _ := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return b.do(req)
	}
	tests := []struct {
		name string
		do   func() page
		want string
	}{
		{"page", func() page { return b.get("/login") }, "test /login OK"},
		{"static file under a wildcard", func() page { return b.get("/static/style.css") }, "test /static/* OK"},
		{"OAuth error from a handler", func() page { return form("/oauth2/token", url.Values{"grant_type": {"password"}}) },
			"test /oauth2/token Unauthorized"},
		{"wrong method", func() page { return withHost(http.MethodPut, "/oauth2/token", "") }, "test /oauth2/token Method Not Allowed"},
		{"unknown path: no endpoint, whatever it was", func() page { return b.get("/wp-admin/" + strings.Repeat("x", 40)) },
			"test other Not Found"},
		{"probe for a named host", func() page { return b.get("/healthz") }, "test /healthz OK"},
		{"probe by address", func() page { return withHost(http.MethodGet, "/readyz", "10.0.0.1") }, "unknown /readyz OK"},
		{"unknown host name: sent to the issuer", func() page { return withHost(http.MethodGet, "/login", "evil.example") },
			"unknown other Temporary Redirect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs.mu.Lock()
			n := len(obs.got)
			obs.mu.Unlock()
			p := tt.do()
			if got := obs.last(); got != tt.want {
				t.Fatalf("observed %q (answer %d), want %q", got, p.status, tt.want)
			}
			obs.mu.Lock()
			defer obs.mu.Unlock()
			if len(obs.got) != n+1 {
				t.Fatalf("%d observations for one request", len(obs.got)-n)
			}
		})
	}
}
