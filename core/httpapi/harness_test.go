package httpapi

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/interaction"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/oidc"
	"github.com/assentry/assentry/core/ratelimit"
	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
	"github.com/assentry/assentry/themes"
)

// testEnv is a real server: fiber on a 127.0.0.1 listener, real Badger in a temp dir, the embedded theme.
type testEnv struct {
	t       *testing.T
	srv     *Server
	st      store.Store
	host    *Host
	base    string // http://127.0.0.1:port
	users   *account.Service
	clients *oauth.Clients
	limits  interaction.Limits
}

// envOption adjusts a test host before it is built: the server options, the host, the flows' rate limits.
type envOption func(*Options, *Host, *interaction.Limits)

// testAlgs are the id_token algorithms of a test host: EdDSA and ES256 keys are made in microseconds, RSA keys
// in a good fraction of a second, so only the tests that need RS256 ask for it (withAlgs).
var testAlgs = []string{"ES256", "EdDSA"}

// withAlgs makes the host keep keys for algs (the first is its default id_token algorithm).
func withAlgs(algs ...string) envOption {
	return func(o *Options, h *Host, _ *interaction.Limits) { h.IDTokenAlgs = algs }
}

func newEnv(t *testing.T, opts ...envOption) *testEnv {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	st := badgertest.New(t, nil)
	hasher, err := account.NewHasher(account.Params{Memory: 64, Iterations: 1, Parallelism: 1}, 4)
	if err != nil {
		t.Fatal(err)
	}
	iss, _ := url.Parse(base)
	accounts := account.New(account.Options{Host: "test", Users: st.Users(), Hasher: hasher, Roles: []string{"user"}, DefaultRole: "user"})
	theme, err := themes.Load("")
	if err != nil {
		t.Fatal(err)
	}
	clients := oauth.NewClients("test", st.Clients(), oauth.ServedGrantTypes, nil)
	provider, err := oauth.New(oauth.Options{
		Host: "test",
		Settings: oauth.Settings{Issuer: base, AccessTokenTTL: time.Hour, RefreshTokenTTL: 24 * time.Hour,
			CodeTTL: time.Minute, GrantTypes: oauth.ServedGrantTypes, ResponseTypes: []string{"code"},
			RequireCodeChallenge: true, CodeChallengeMethods: []string{"S256"}},
		Clients: clients, Users: st.Users(), Grants: st.Grants(), Tokens: st.Tokens(), Codes: st.Codes(),
		DeviceCodes: st.DeviceCodes(), Consents: st.Consents(), Interactions: st.Interactions(),
		Scopes: oauth.NewCatalogue([]string{"user"}, nil), Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	h := &Host{
		ID: "test", Hostnames: []string{iss.Host}, Issuer: iss, SiteName: "Test Site",
		SecurityPolicy: "default-src 'self'",
		Accounts:       accounts,
		Sessions:       session.NewManager("test", st.Sessions(), st.Users(), 24*time.Hour, nil),
		Theme:          theme,
		OAuth:          provider,
		IDTokenAlgs:    testAlgs,
	}
	o := Options{Hosts: []*Host{h}, Logger: slog.New(slog.DiscardHandler)}
	limits := interaction.Limits{LoginPerIP: ratelimit.New(100, time.Second, nil),
		LoginPerUser: ratelimit.New(100, time.Second, nil), DeviceCodePerIP: ratelimit.New(100, time.Second, nil),
		DeviceCodePerBrowser: ratelimit.New(100, time.Second, nil)}
	for _, f := range opts {
		f(&o, h, &limits)
	}
	if err := addOIDC(t, h, st, base); err != nil {
		t.Fatal(err)
	}
	if h.Flow, err = interaction.New(h.OAuth, h.Accounts, h.Sessions, limits, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return &testEnv{t: t, srv: srv, st: st, host: h, base: base, users: accounts, clients: clients, limits: limits}
}

// useSessions gives the running host another session manager, in its flows too.
func (e *testEnv) useSessions(m *session.Manager) {
	e.t.Helper()
	flow, err := interaction.New(e.host.OAuth, e.host.Accounts, m, e.limits, slog.New(slog.DiscardHandler))
	if err != nil {
		e.t.Fatal(err)
	}
	e.host.Sessions, e.host.Flow = m, flow
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
	return &browser{t: e.t, env: e, c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
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

// addOIDC gives a test host the OpenID Connect layer, wired as cmd/assentry wires it.
func addOIDC(t *testing.T, h *Host, st store.Store, issuer string) error {
	keys, err := token.New(token.Options{Host: h.ID, Keys: st.Keys(), Algorithms: h.IDTokenAlgs,
		PublishAhead: 15 * time.Minute, MaxTokenTTL: 2 * time.Hour})
	if err != nil {
		return err
	}
	if err := keys.Ensure(context.Background()); err != nil {
		return err
	}
	subjects := oidc.Subjects{Format: oidc.SubjectOpaque}
	ids := &oidc.IDTokens{Issuer: issuer, TTL: time.Hour, DefaultAlg: h.IDTokenAlgs[0], Subjects: subjects,
		Signer: keys, AtHash: token.AtHash, OnRefresh: true}
	h.Keys = keys
	h.UserInfo = &oidc.UserInfo{Host: h.ID, Tokens: st.Tokens(), Users: st.Users(), Subjects: subjects}
	h.RPLogout = &oidc.Logout{Issuer: issuer, Clients: h.OAuth.Clients, Keys: keys}
	return setOIDC(h, &oidc.Layer{IDTokens: ids, Subjects: subjects, Logout: h.RPLogout})
}

// setOIDC rebuilds the host's provider, as the options left it, with the OIDC layer: its grants, and the built-in
// ones for grant types an option enabled in its settings.
func setOIDC(h *Host, layer oauth.OIDC) error {
	p := h.OAuth
	handlers := oauth.BuiltinGrants()
	for _, g := range p.Handlers() {
		if g != nil && !slices.ContainsFunc(handlers, func(b oauth.Grant) bool { return b.Type() == g.Type() }) {
			handlers = append(handlers, g)
		}
	}
	np, err := oauth.New(oauth.Options{Host: p.Host, Settings: p.Settings, Clients: p.Clients, Users: p.Users,
		Grants: p.Grants, Tokens: p.Tokens, Codes: p.Codes, DeviceCodes: p.DeviceCodes, Consents: p.Consents,
		Interactions: p.Interactions, Scopes: p.Scopes, Policy: p.Policy, OIDC: layer, Handlers: handlers,
		Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	h.OAuth = np
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
