package httpapi

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
	"github.com/assentry/assentry/themes"
)

// testEnv is a real server: fiber on a 127.0.0.1 listener, real Badger in a temp dir, the embedded theme, and a
// host built from configuration by core/assembly, as `assentry serve` builds its hosts.
type testEnv struct {
	t       *testing.T
	srv     *Server
	st      store.Store
	svc     *assembly.Services
	host    *Host
	base    string // http://127.0.0.1:port
	users   *account.Service
	clients *oauth.Clients
	roots   *x509.CertPool // with withTLS: the pool that trusts the listener's certificate
}

// envSetup is what a test may change before newEnv builds its host: the configuration, as a file would give it
// (newEnv sets the issuer to the listener's URL), the builder's options and the server's logger.
type envSetup struct {
	cfg    *config.Config
	build  assembly.Options
	logger *slog.Logger
	// resolved, when set, changes the host's settings after the configuration is resolved (what no file can say).
	resolved func(*config.HostSettings)
	// tls serves over TLS with a self-signed certificate (withTLS).
	tls    bool
	limits Limits // the server's timeouts and connection caps
	// observer is told of every request (withObserver); nil: none.
	observer Observer
}

type envOption func(*envSetup)

// withConfig changes the configuration before it is resolved.
func withConfig(f func(*config.Config)) envOption { return func(s *envSetup) { f(s.cfg) } }

// withLimits sets the server's timeouts and connection caps.
func withLimits(l Limits) envOption { return func(s *envSetup) { s.limits = l } }

// testAlgs are the id_token algorithms of a test host: EdDSA and ES256 keys are made in microseconds, RSA keys
// in a good fraction of a second, so only the tests that need RS256 ask for it (withAlgs).
var testAlgs = []string{"ES256", "EdDSA"}

// withAlgs makes the host keep keys for algs (the first is its default id_token algorithm).
func withAlgs(algs ...string) envOption {
	return func(s *envSetup) { s.build.KeyAlgorithms, s.cfg.IDTokenSigningAlg = algs, algs[0] }
}

// withObserver hands the server an Observer of every request.
func withObserver(o Observer) envOption { return func(s *envSetup) { s.observer = o } }

// withTLS serves the host over TLS itself, with no proxy in front: the listener presents a self-signed certificate
// for 127.0.0.1, and an issuer left at the listener's URL becomes its https URL.
func withTLS() envOption { return func(s *envSetup) { s.tls = true } }

// withClock gives the store and every service of the host one clock.
func withClock(now func() time.Time) envOption { return func(s *envSetup) { s.build.Now = now } }

// withLogger sends the server's and the host's logs to l.
func withLogger(l *slog.Logger) envOption { return func(s *envSetup) { s.logger = l } }

// withSessionTTL sets session_ttl (0: a login is never remembered).
func withSessionTTL(d time.Duration) envOption {
	return withConfig(func(c *config.Config) { v := config.Duration(d); c.SessionTTL = &v })
}

// withGrantTypes sets the host's grant_types.
func withGrantTypes(types ...string) envOption {
	return withConfig(func(c *config.Config) { c.GrantTypes = types })
}

// withCORS sets cors_origins.
func withCORS(origins ...string) envOption {
	return withConfig(func(c *config.Config) { c.CORSOrigins = origins })
}

// every makes a config.Bucket.
func every(burst int, d time.Duration) *config.Bucket {
	return &config.Bucket{Burst: burst, Every: config.Duration(d)}
}

// testConfig is the configuration of a test host: the defaults, with cheap password hashes and fast signing
// keys, and rate limits that a test run does not reach.
func testConfig(issuer string) *config.Config {
	return &config.Config{Host: config.Host{
		ID: "test", Issuer: issuer, SiteName: "Test Site", IDTokenSigningAlg: testAlgs[0],
		Argon2: &config.Argon2{Memory: 64, Iterations: 1, Parallelism: 1, MaxConcurrent: 4},
		RateLimits: &config.RateLimits{LoginPerIP: every(100, time.Second), LoginPerUsername: every(100, time.Second),
			RegisterPerIP: every(100, time.Second), PushPerIP: every(100, time.Second), DeviceCodePerIP: every(100, time.Second),
			DeviceCodePerBrowser: every(100, time.Second), ClientAuthFailuresPerClientIP: every(100, time.Second),
			ClientAuthFailuresPerIP: every(100, time.Second)},
	}}
}

// buildHost resolves cfg and builds its host on st as `assentry serve` does: core/assembly makes the services,
// Prepare stores what the host needs, NewHost adds the theme.
func buildHost(t *testing.T, cfg *config.Config, st store.Store, o assembly.Options, resolved ...func(*config.HostSettings)) (*Host, *assembly.Services, *config.Settings) {
	t.Helper()
	settings, _, err := cfg.Validate(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range resolved {
		if f != nil {
			f(&settings.Hosts[0])
		}
	}
	ctx := context.Background()
	svc, err := assembly.Build(ctx, &settings.Hosts[0], st, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close(context.Background()) })
	if err := svc.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	theme, err := themes.Load(svc.Settings.Theme)
	if err != nil {
		t.Fatal(err)
	}
	return NewHost(svc, theme), svc, settings
}

func newEnv(t *testing.T, opts ...envOption) *testEnv {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	setup := &envSetup{cfg: testConfig(base), build: assembly.Options{KeyAlgorithms: testAlgs},
		logger: slog.New(slog.DiscardHandler)}
	for _, f := range opts {
		f(setup)
	}
	var roots *x509.CertPool
	if setup.tls {
		var cert tls.Certificate
		cert, roots = selfSigned(t)
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
		if setup.cfg.Issuer == base {
			setup.cfg.Issuer = "https://" + ln.Addr().String()
		}
		base = "https://" + ln.Addr().String()
	}
	setup.build.Log = setup.logger
	st := badgertest.New(t, setup.build.Now)
	h, svc, settings := buildHost(t, setup.cfg, st, setup.build, setup.resolved)
	srv, err := New(Options{Hosts: []*Host{h}, TrustedProxies: settings.TrustedProxies, Logger: setup.logger,
		Limits: setup.limits, Observer: setup.observer})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return &testEnv{t: t, srv: srv, st: st, svc: svc, host: h, base: base, users: svc.Accounts, clients: svc.Clients,
		roots: roots}
}

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots
}

func (e *testEnv) addUser(name, pw string) *store.User {
	e.t.Helper()
	u, err := e.users.Add(context.Background(), account.NewUser{Username: name, Password: pw})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// browser is an HTTP client with a cookie jar that does not follow redirects, so tests see each answer.
type browser struct {
	t   *testing.T
	c   *http.Client
	env *testEnv
	xff string // X-Forwarded-For to send, if any
}

func (e *testEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if e.roots != nil {
		c.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.roots}}
	}
	return &browser{t: e.t, env: e, c: c}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	if b.xff != "" {
		req.Header.Set("X-Forwarded-For", b.xff)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.env.base+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.env.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfRe = regexp.MustCompile(`name="csrf_token"\s+value="([^"]+)"`)

// csrf returns the CSRF value a page's form carries.
func (p page) csrf(t *testing.T) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF field in page:\n%s", p.body)
	}
	return m[1]
}

// login fetches the login page and posts the form with its CSRF token.
func (b *browser) login(user, pw string) page {
	b.t.Helper()
	p := b.get("/login")
	return b.post("/login", url.Values{"username": {user}, "password": {pw}, "csrf_token": {p.csrf(b.t)}})
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.env.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// decodeSegment decodes one base64url segment of a JWT.
func decodeSegment(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
