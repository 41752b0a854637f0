package cimd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Defaults of Options. 5 KiB is the response size the draft suggests as a limit
// (draft-ietf-oauth-client-id-metadata-document-02 §8.7); a document is a few hundred bytes.
const (
	DefaultMaxBytes     = 5 << 10
	DefaultTimeout      = 5 * time.Second
	DefaultCacheMinAge  = time.Minute
	DefaultCacheMaxAge  = 24 * time.Hour
	DefaultCacheEntries = 1000
)

// Options configure a Fetcher. Zero values take the defaults.
type Options struct {
	// AllowNetworks are networks that may be dialled although they are not public (loopback, private, ...): for
	// tests against a local server, or a deliberate internal deployment. Empty: public addresses only.
	AllowNetworks []netip.Prefix
	MaxBytes      int64         // the largest document accepted
	Timeout       time.Duration // for the whole fetch: connection, TLS, headers and body
	CacheMinAge   time.Duration // the shortest a cacheable document is kept (and how long one without max-age is)
	CacheMaxAge   time.Duration // the longest any document is kept, whatever its max-age
	CacheEntries  int           // how many documents are kept; past it the least recently used goes
	// RootCAs verifies the documents' servers; nil: the system's roots. Tests put their server's root here.
	RootCAs *x509.CertPool
	// Resolver resolves the documents' host names; nil: the system's. Tests point it at their own DNS server.
	Resolver *net.Resolver
	Now      func() time.Time // nil: time.Now
}

// document is a fetched metadata document: its body, a JSON object as far as its Content-Type says (the caller
// parses it), and when it was fetched.
type document struct {
	body      []byte
	fetchedAt time.Time
}

// Fetcher fetches metadata documents. It is safe for concurrent use; concurrent fetches of one URL share one
// request (the first caller's), and a fetched document is served from the cache until its time is up.
type Fetcher struct {
	client   *http.Client
	opts     Options
	cache    *lru
	mu       sync.Mutex
	inflight map[string]*call
	fetches  int64 // requests sent, for tests and metrics
}

// call is one fetch in progress, which callers of the same URL wait for.
type call struct {
	waiters int // callers waiting, under Fetcher.mu
	done    chan struct{}
	doc     *document
	err     error
}

// New returns a Fetcher.
func New(o Options) *Fetcher {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.CacheMinAge <= 0 {
		o.CacheMinAge = DefaultCacheMinAge
	}
	if o.CacheMaxAge <= 0 {
		o.CacheMaxAge = DefaultCacheMaxAge
	}
	if o.CacheMaxAge < o.CacheMinAge {
		o.CacheMaxAge = o.CacheMinAge
	}
	if o.CacheEntries <= 0 {
		o.CacheEntries = DefaultCacheEntries
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	g := guard{allow: o.AllowNetworks}
	dialer := &net.Dialer{Timeout: o.Timeout, Control: g.control, Resolver: o.Resolver}
	transport := &http.Transport{
		// No proxy, whatever the environment says: the guard must see the address of the documents' server, not
		// a proxy's, and a proxy would fetch private addresses for us.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		MaxResponseHeaderBytes: 16 << 10,
		MaxIdleConns:           16,
		IdleConnTimeout:        30 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	client := &http.Client{Transport: transport, Timeout: o.Timeout,
		// draft-ietf-oauth-client-id-metadata-document-02 §5: the document is served at the client_id URL itself
		// with 200; a redirect would make the client_id name another document, so none is followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Fetcher{client: client, opts: o, cache: newLRU(o.CacheEntries), inflight: map[string]*call{}}
}

// Fetches is how many requests the Fetcher has sent (cached and coalesced fetches send none).
func (f *Fetcher) Fetches() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches
}

// Fetch returns the body of the document at rawURL, from the cache when it is fresh there. A refusal (a URL
// that is not https, a forbidden address, a redirect, a status other than 200, not JSON, too large, too slow) is
// an *Error saying why; the caller must not change the body.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	if err := checkURL(rawURL); err != nil {
		return nil, err
	}
	if d := f.cache.get(rawURL, f.opts.Now()); d != nil {
		return d.body, nil
	}
	f.mu.Lock()
	c, ok := f.inflight[rawURL]
	if !ok {
		c = &call{done: make(chan struct{})}
		f.inflight[rawURL] = c
		f.fetches++
		// The fetch belongs to every caller waiting for it, not to the first one: it runs to its own timeout
		// even when the first caller gives up.
		go f.run(context.WithoutCancel(ctx), rawURL, c)
	}
	c.waiters++
	f.mu.Unlock()
	select {
	case <-c.done:
		if c.err != nil {
			return nil, c.err
		}
		return c.doc.body, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run performs one fetch, caches its document and releases the callers waiting for it.
func (f *Fetcher) run(ctx context.Context, rawURL string, c *call) {
	doc, ttl, err := f.get(ctx, rawURL)
	if err == nil && ttl > 0 {
		f.cache.put(rawURL, doc, doc.fetchedAt.Add(ttl))
	}
	c.doc, c.err = doc, err
	f.mu.Lock()
	delete(f.inflight, rawURL)
	f.mu.Unlock()
	close(c.done)
}

// get sends the request and checks the answer (draft-ietf-oauth-client-id-metadata-document-02 §5, §5.1):
// 200, a JSON media type, at most MaxBytes.
func (f *Fetcher) get(ctx context.Context, rawURL string) (*document, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, 0, errorf("the client_id is not a valid URL").withCause(err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, 0, describeFailure(err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return nil, 0, errorf("the client_id URL answered with a redirect, which is not followed: the document " +
			"must be served at the client_id URL itself")
	case resp.StatusCode != http.StatusOK:
		return nil, 0, errorf("the client_id URL answered with HTTP status %d, not 200", resp.StatusCode)
	}
	if !jsonMediaType(resp.Header.Get("Content-Type")) {
		return nil, 0, errorf("the metadata document is not served as application/json")
	}
	if resp.ContentLength > f.opts.MaxBytes {
		return nil, 0, errorf("the metadata document is over %d bytes", f.opts.MaxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.opts.MaxBytes+1))
	if err != nil {
		return nil, 0, describeFailure(err)
	}
	if int64(len(body)) > f.opts.MaxBytes {
		return nil, 0, errorf("the metadata document is over %d bytes", f.opts.MaxBytes)
	}
	doc := &document{body: body, fetchedAt: f.opts.Now()}
	return doc, cacheTTL(resp.Header, f.opts.CacheMinAge, f.opts.CacheMaxAge), nil
}

// jsonMediaType reports whether a Content-Type is application/json or a more specific application/*+json
// (draft-ietf-oauth-client-id-metadata-document-02 §4).
func jsonMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// describeFailure turns a transport error into an *Error the client may read: which step failed, not the
// address or the server's words.
func describeFailure(err error) *Error {
	var ue interface{ Timeout() bool }
	switch {
	case errors.Is(err, ErrForbiddenAddress):
		return errorf("the client_id URL's host is not a public address; this server does not fetch from " +
			"loopback, private or link-local addresses").withCause(err)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ue) && ue.Timeout():
		return errorf("fetching the metadata document timed out").withCause(err)
	}
	var cv *tls.CertificateVerificationError
	var dns *net.DNSError
	switch {
	case errors.As(err, &cv):
		return errorf("the client_id URL's server presented a certificate that does not verify").withCause(err)
	case errors.As(err, &dns):
		return errorf("the client_id URL's host name does not resolve").withCause(err)
	}
	return errorf("the metadata document could not be fetched").withCause(fmt.Errorf("fetch: %w", err))
}
