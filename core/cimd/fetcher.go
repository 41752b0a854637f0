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
	"net/url"
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
	// Fetches run detached from the request that started them (they belong to every caller waiting), so how many
	// may run at once is bounded: a stranger naming new client_id URLs cannot make the server hold unbounded
	// connections and goroutines, nor hammer one host.
	DefaultMaxFetches        = 32
	DefaultMaxFetchesPerHost = 4
	// A failed fetch is remembered briefly, so that repeating a bad client_id costs no request.
	DefaultFailureTTL     = 30 * time.Second
	DefaultFailureEntries = 1000
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
	// MaxFetches and MaxFetchesPerHost bound the fetches in progress, in all and to one host name; beyond them a
	// lookup fails at once (ErrBusy's message), without a request.
	MaxFetches        int
	MaxFetchesPerHost int
	// FailureTTL is how long a failed fetch is remembered and answered again without a request; FailureEntries
	// bounds how many are (least recently used out first, apart from the documents' cache).
	FailureTTL     time.Duration
	FailureEntries int
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
	err       *Error // a failed fetch, in the failures' cache
}

// Fetcher fetches metadata documents. It is safe for concurrent use; concurrent fetches of one URL share one
// request (the first caller's), and a fetched document is served from the cache until its time is up.
type Fetcher struct {
	client   *http.Client
	opts     Options
	cache    *lru
	failures *lru // failed fetches, kept FailureTTL: a separate cache, so they never evict documents
	mu       sync.Mutex
	inflight map[string]*call
	perHost  map[string]int // fetches in progress by host name, under mu
	fetches  int64          // requests sent, for tests and metrics
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
	if o.MaxFetches <= 0 {
		o.MaxFetches = DefaultMaxFetches
	}
	if o.MaxFetchesPerHost <= 0 {
		o.MaxFetchesPerHost = DefaultMaxFetchesPerHost
	}
	if o.FailureTTL <= 0 {
		o.FailureTTL = DefaultFailureTTL
	}
	if o.FailureEntries <= 0 {
		o.FailureEntries = DefaultFailureEntries
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
	return &Fetcher{client: client, opts: o, cache: newLRU(o.CacheEntries), failures: newLRU(o.FailureEntries),
		inflight: map[string]*call{}, perHost: map[string]int{}}
}

// Fetches is how many requests the Fetcher has sent (cached and coalesced fetches send none).
func (f *Fetcher) Fetches() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches
}

// Fetch returns the body of the document at rawURL, from the cache when it is fresh there. A refusal (a URL
// that is not https, a forbidden address, a redirect, a status other than 200, not JSON, too large, too slow) is
// an *Error saying why, and is answered again for FailureTTL without a request; so is a fetch refused because
// too many are in progress (errBusy), which is not remembered. The caller must not change the body.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	if err := checkURL(rawURL); err != nil {
		return nil, err
	}
	now := f.opts.Now()
	if d := f.cache.get(rawURL, now); d != nil {
		return d.body, nil
	}
	if d := f.failures.get(rawURL, now); d != nil {
		return nil, d.err
	}
	host := hostOf(rawURL)
	f.mu.Lock()
	c, ok := f.inflight[rawURL]
	if !ok {
		if len(f.inflight) >= f.opts.MaxFetches || f.perHost[host] >= f.opts.MaxFetchesPerHost {
			f.mu.Unlock()
			return nil, errBusy()
		}
		c = &call{done: make(chan struct{})}
		f.inflight[rawURL] = c
		f.perHost[host]++
		f.fetches++
		// The fetch belongs to every caller waiting for it, not to the first one: it runs to its own timeout
		// even when the first caller gives up.
		go f.run(context.WithoutCancel(ctx), rawURL, host, c)
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

// run performs one fetch, caches its document (or its failure, FailureTTL) and releases the callers waiting
// for it.
func (f *Fetcher) run(ctx context.Context, rawURL, host string, c *call) {
	doc, ttl, err := f.get(ctx, rawURL)
	switch {
	case err != nil:
		f.failures.put(rawURL, &document{err: err}, f.opts.Now().Add(f.opts.FailureTTL))
	case ttl > 0:
		f.cache.put(rawURL, doc, doc.fetchedAt.Add(ttl))
	}
	c.doc = doc
	if err != nil {
		c.err = err
	}
	f.mu.Lock()
	delete(f.inflight, rawURL)
	if f.perHost[host]--; f.perHost[host] <= 0 {
		delete(f.perHost, host)
	}
	f.mu.Unlock()
	close(c.done)
}

// hostOf is the host name of a checked client_id URL, in lower case: what MaxFetchesPerHost counts by.
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// errBusy refuses a lookup while too many fetches are in progress: the client may retry shortly.
func errBusy() *Error {
	return errorf("the metadata document could not be fetched now: this server is fetching too many others; retry later")
}

// get sends the request and checks the answer (draft-ietf-oauth-client-id-metadata-document-02 §5, §5.1):
// 200, a JSON media type, at most MaxBytes.
func (f *Fetcher) get(ctx context.Context, rawURL string) (*document, time.Duration, *Error) {
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
