package cimd_test

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assentry/assentry/core/cimd"
	"github.com/assentry/assentry/internal/testclock"
)

// docServer is a loopback TLS server answering each path with its handler, counting requests per path.
type docServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newDocServer(t *testing.T, routes map[string]http.HandlerFunc) *docServer {
	t.Helper()
	s := &docServer{hits: map[string]int{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		if h, ok := routes[r.URL.Path]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes the untrusted-certificate case fails
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func (s *docServer) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *docServer) roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.Certificate())
	return p
}

// serve answers a JSON body with a Cache-Control header ("" for none).
func serve(body, cacheControl string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if cacheControl != "" {
			w.Header().Set("Cache-Control", cacheControl)
		}
		_, _ = w.Write([]byte(body))
	}
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

const doc = `{"client_id":"x","client_name":"App"}`

// TestFetchRefusals: every MUST of fetching, each refused with a message that names the rule.
func TestFetchRefusals(t *testing.T) {
	big := strings.Repeat(" ", 6000)
	stuck := make(chan struct{})
	s := newDocServer(t, map[string]http.HandlerFunc{
		"/ok.json":       serve(doc, ""),
		"/redirect.json": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok.json", http.StatusFound) },
		"/big.json":      serve(`{"a":"`+big+`"}`, ""),
		"/chunked.json": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for range 8 { // no Content-Length: the limit is enforced while reading
				_, _ = w.Write([]byte(strings.Repeat(" ", 1000)))
				w.(http.Flusher).Flush()
			}
		},
		"/html.json": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(doc))
		},
		"/slow.json": func(http.ResponseWriter, *http.Request) {
			<-stuck // never answers while the test runs: the only way out for the client is its timeout
		},
	})
	t.Cleanup(func() { close(stuck) }) // before the server's Close, which waits for its handlers
	allowed := cimd.New(cimd.Options{AllowNetworks: loopback, RootCAs: s.roots(), Timeout: 500 * time.Millisecond})
	strict := cimd.New(cimd.Options{RootCAs: s.roots()})
	port := s.URL[strings.LastIndex(s.URL, ":"):]
	tests := []struct {
		name    string
		f       *cimd.Fetcher
		url     string
		want    string
		blocked bool // the cause is the dial guard
	}{
		{name: "loopback address without allow_networks", f: strict, url: s.URL + "/ok.json", want: "not a public address", blocked: true},
		{name: "a name resolving to loopback without allow_networks", f: strict, url: "https://localhost" + port + "/ok.json",
			want: "not a public address", blocked: true},
		{name: "IPv6 loopback without allow_networks", f: strict, url: "https://[::1]" + port + "/ok.json", want: "not a public address", blocked: true},
		{name: "::1 is outside the allowed 127.0.0.0/8", f: allowed, url: "https://[::1]" + port + "/ok.json",
			want: "not a public address", blocked: true},
		{name: "redirect", f: allowed, url: s.URL + "/redirect.json", want: "redirect"},
		{name: "over the size limit", f: allowed, url: s.URL + "/big.json", want: "over 5120 bytes"},
		{name: "over the size limit, chunked", f: allowed, url: s.URL + "/chunked.json", want: "over 5120 bytes"},
		{name: "not JSON", f: allowed, url: s.URL + "/html.json", want: "not served as application/json"},
		{name: "404", f: allowed, url: s.URL + "/missing.json", want: "status 404"},
		{name: "timeout", f: allowed, url: s.URL + "/slow.json", want: "timed out"},
		{name: "http", f: allowed, url: strings.Replace(s.URL, "https:", "http:", 1) + "/ok.json", want: "https scheme"},
		{name: "untrusted certificate", f: cimd.New(cimd.Options{AllowNetworks: loopback}), url: s.URL + "/ok.json", want: "does not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.f.Fetch(context.Background(), tt.url)
			var ce *cimd.Error
			if !errors.As(err, &ce) || !strings.Contains(ce.Msg, tt.want) {
				t.Fatalf("got %v, want an *cimd.Error containing %q", err, tt.want)
			}
			if strings.Contains(ce.Msg, "127.0.0.1") || strings.Contains(ce.Msg, "localhost") {
				t.Errorf("the message quotes the address: %q", ce.Msg)
			}
			if got := errors.Is(err, cimd.ErrForbiddenAddress); got != tt.blocked {
				t.Errorf("blocked by the guard: %v, want %v (%v)", got, tt.blocked, err)
			}
		})
	}
	if n := s.hitsOf("/ok.json"); n != 0 {
		t.Errorf("the refused addresses were reached %d times", n)
	}
	if body, err := allowed.Fetch(context.Background(), s.URL+"/ok.json"); err != nil || string(body) != doc {
		t.Fatalf("allowed fetch: %v", err)
	}
}

// TestFetchCache: Cache-Control max-age is honoured within the configured bounds, no-store is never kept, and
// the cache forgets the least recently used document past its size.
func TestFetchCache(t *testing.T) {
	s := newDocServer(t, map[string]http.HandlerFunc{
		"/a.json":     serve(doc, "public, max-age=600"),
		"/b.json":     serve(doc, "no-store"),
		"/c.json":     serve(doc, ""),
		"/long.json":  serve(doc, "max-age=99999999999"),
		"/short.json": serve(doc, "max-age=1"),
	})
	clock := testclock.New(time.Now())
	f := cimd.New(cimd.Options{AllowNetworks: loopback, RootCAs: s.roots(), Now: clock.Now,
		CacheMinAge: time.Minute, CacheMaxAge: time.Hour, CacheEntries: 2})
	fetch := func(path string) {
		t.Helper()
		if _, err := f.Fetch(context.Background(), s.URL+path); err != nil {
			t.Fatal(err)
		}
	}
	fetch("/a.json")
	fetch("/a.json")
	clock.Advance(599 * time.Second)
	fetch("/a.json")
	if n := s.hitsOf("/a.json"); n != 1 {
		t.Fatalf("max-age=600: %d requests within it, want 1", n)
	}
	clock.Advance(time.Second)
	fetch("/a.json")
	if n := s.hitsOf("/a.json"); n != 2 {
		t.Fatalf("max-age=600: %d requests once it passed, want 2", n)
	}
	fetch("/b.json")
	fetch("/b.json")
	if n := s.hitsOf("/b.json"); n != 2 {
		t.Fatalf("no-store: %d requests, want 2", n)
	}
	// The upper bound: max-age far beyond cache_max_age is kept for an hour.
	fetch("/long.json")
	clock.Advance(time.Hour - time.Second)
	fetch("/long.json")
	clock.Advance(time.Second)
	fetch("/long.json")
	if n := s.hitsOf("/long.json"); n != 2 {
		t.Fatalf("huge max-age: %d requests, want 2 (kept exactly cache_max_age)", n)
	}
	// The lower bound: max-age=1 and no header are both kept cache_min_age.
	fetch("/short.json")
	fetch("/c.json")
	clock.Advance(59 * time.Second)
	fetch("/short.json")
	fetch("/c.json")
	if s.hitsOf("/short.json") != 1 || s.hitsOf("/c.json") != 1 {
		t.Fatalf("min age: %d, %d requests, want 1 each", s.hitsOf("/short.json"), s.hitsOf("/c.json"))
	}
	// Two entries at most: /a.json, least recently used, was evicted.
	fetch("/a.json")
	if n := s.hitsOf("/a.json"); n != 3 {
		t.Fatalf("after eviction: %d requests, want 3", n)
	}
}

// TestFetchCoalesced: concurrent fetches of one URL send one request, and all callers get its document.
func TestFetchCoalesced(t *testing.T) {
	release := make(chan struct{})
	var arrived atomic.Int32
	s := newDocServer(t, map[string]http.HandlerFunc{"/slow.json": func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		<-release
		serve(doc, "no-store")(w, r)
	}})
	f := cimd.New(cimd.Options{AllowNetworks: loopback, RootCAs: s.roots()})
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, err := f.Fetch(context.Background(), s.URL+"/slow.json")
			if err == nil && string(body) != doc {
				err = errors.New("wrong body")
			}
			errs <- err
		}()
	}
	// Wait until the one request is at the server, then let it answer: every caller has joined it by then or
	// joins after it is done (a no-store document is not cached, so a late caller would send a second one).
	for arrived.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	for f.Waiting(s.URL+"/slow.json") < n {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, sent := s.hitsOf("/slow.json"), f.Fetches(); got != 1 || sent != 1 {
		t.Fatalf("%d requests received, %d sent, for %d concurrent fetches; want 1", got, sent, n)
	}
}

// TestPublic: what the dial guard lets through without allow_networks.
func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:2800:21f:cb07:6820:80da:af6b:8b2c": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fc00::1": false, "fd12::1": false, "0.0.0.0": false, "::": false,
		"100.64.0.1": false, "224.0.0.1": false, "ff02::1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
		"64:ff9b::a00:1": false, "255.255.255.255": false, "198.18.0.1": false,
	} {
		if got := cimd.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestFetchBounded: fetches in progress are bounded, in all and per host name; beyond a bound a lookup fails at
// once, without a request, saying so. Fetches abandoned by their callers still count until they end (they run
// detached), and finished ones free their places.
func TestFetchBounded(t *testing.T) {
	release := make(chan struct{})
	var arrived atomic.Int32
	slow := func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		<-release
		serve(doc, "no-store")(w, r)
	}
	s := newDocServer(t, map[string]http.HandlerFunc{"/1.json": slow, "/2.json": slow, "/3.json": slow})
	released := false
	t.Cleanup(func() {
		if !released {
			close(release)
		}
	})
	other := "https://localhost" + s.URL[strings.LastIndex(s.URL, ":"):] // another host name, same server
	// start begins a fetch whose caller gives up at once: the fetch goes on.
	start := func(f *cimd.Fetcher, url string) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := f.Fetch(ctx, url); !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: %v, want the caller's cancellation", url, err)
		}
	}
	busy := func(f *cimd.Fetcher, url string) {
		t.Helper()
		_, err := f.Fetch(context.Background(), url)
		var ce *cimd.Error
		if !errors.As(err, &ce) || ce.Reason() != "the metadata document could not be fetched now: this server is "+
			"fetching too many others; retry later" {
			t.Fatalf("%s: %v, want the busy refusal", url, err)
		}
	}

	// In all: two in progress at 127.0.0.1 fill max 2; another host is refused too.
	all := cimd.New(cimd.Options{AllowNetworks: loopback, RootCAs: s.roots(), MaxFetches: 2, MaxFetchesPerHost: 2})
	start(all, s.URL+"/1.json")
	start(all, s.URL+"/2.json")
	for arrived.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	busy(all, other+"/1.json")

	// Per host: two in progress at 127.0.0.1 fill its 2 of 3 places; a third to it is refused without a
	// request, another host name is let through (its certificate does not verify: it was tried).
	perHost := cimd.New(cimd.Options{AllowNetworks: loopback, RootCAs: s.roots(), MaxFetches: 3, MaxFetchesPerHost: 2})
	start(perHost, s.URL+"/1.json")
	start(perHost, s.URL+"/2.json")
	for arrived.Load() < 4 {
		time.Sleep(time.Millisecond)
	}
	busy(perHost, s.URL+"/3.json")
	if n := s.hitsOf("/3.json"); n != 0 {
		t.Fatalf("a refused fetch was sent (%d)", n)
	}
	if _, err := perHost.Fetch(context.Background(), other+"/1.json"); err == nil || strings.Contains(err.Error(), "fetched now") {
		t.Fatalf("another host: %v, want the fetch tried", err)
	}

	// Once the fetches end, their places are free.
	close(release)
	released = true
	for _, f := range []*cimd.Fetcher{all, perHost} {
		for f.Waiting(s.URL+"/1.json")+f.Waiting(s.URL+"/2.json") > 0 {
			time.Sleep(time.Millisecond)
		}
		if _, err := f.Fetch(context.Background(), s.URL+"/3.json"); err != nil {
			t.Fatalf("after the fetches ended: %v", err)
		}
	}
}

// TestFetchFailureCached: a failed fetch is answered again, with the same reason and without a request, for
// FailureTTL; then it is tried again. Failures are kept apart from documents, bounded by FailureEntries.
func TestFetchFailureCached(t *testing.T) {
	s := newDocServer(t, map[string]http.HandlerFunc{"/ok.json": serve(doc, "max-age=3600")})
	clock := testclock.New(time.Now())
	f := cimd.New(cimd.Options{AllowNetworks: loopback, RootCAs: s.roots(), Now: clock.Now,
		FailureTTL: 30 * time.Second, FailureEntries: 2})
	fail := func(path string) {
		t.Helper()
		_, err := f.Fetch(context.Background(), s.URL+path)
		var ce *cimd.Error
		if !errors.As(err, &ce) || !strings.Contains(ce.Reason(), "HTTP status 404") {
			t.Fatalf("%s: %v, want the 404 refusal", path, err)
		}
	}
	if _, err := f.Fetch(context.Background(), s.URL+"/ok.json"); err != nil {
		t.Fatal(err)
	}
	fail("/missing.json")
	fail("/missing.json")
	clock.Advance(29 * time.Second)
	fail("/missing.json")
	if n := s.hitsOf("/missing.json"); n != 1 {
		t.Fatalf("%d requests within failure_cache_ttl, want 1", n)
	}
	clock.Advance(time.Second)
	fail("/missing.json")
	if n := s.hitsOf("/missing.json"); n != 2 {
		t.Fatalf("%d requests once failure_cache_ttl passed, want 2", n)
	}
	// Two more failures push /missing.json out of the failures' cache, never the document out of its own.
	fail("/a.json")
	fail("/b.json")
	fail("/missing.json")
	if n := s.hitsOf("/missing.json"); n != 3 {
		t.Fatalf("%d requests after eviction, want 3", n)
	}
	if _, err := f.Fetch(context.Background(), s.URL+"/ok.json"); err != nil || s.hitsOf("/ok.json") != 1 {
		t.Fatalf("the document: %v, %d requests, want it cached", err, s.hitsOf("/ok.json"))
	}
}
