package interaction_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/interaction"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
	"github.com/assentry/assentry/store/postgres/pgtest"
	"github.com/assentry/assentry/themes"
)

// recorder keeps every event of the host.
type recorder struct {
	mu  sync.Mutex
	got []events.Event
}

func (r *recorder) Emit(_ context.Context, e *events.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, *e)
}

func (r *recorder) of(kind events.Kind) []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []events.Event
	for _, e := range r.got {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// accountEnv is one host built as `assentry serve` builds it, with alice, on a store of the backend under test
// and a settable clock, at now until a test moves it.
type accountEnv struct {
	t     *testing.T
	ctx   context.Context
	s     *assembly.Services
	ev    *recorder
	user  *store.User
	now   time.Time
	clock *testclock.Clock
}

// backend opens a store of one backend, on the given clock, closed when the test ends.
type backend struct {
	name string
	open func(testing.TB, store.Clock) store.Store
}

// backends are the stores the account page's tests run on: the same test body over each.
var backends = []backend{{"badger", badgertest.New}, {"postgres", pgtest.New}}

func newAccountEnv(t *testing.T) *accountEnv { return newAccountEnvOn(t, backends[0]) }

func newAccountEnvOn(t *testing.T, be backend) *accountEnv {
	t.Helper()
	path := filepath.Join(t.TempDir(), "assentry.yaml")
	doc := "issuer: https://auth.example.net\nid_token_signing_alg: ES256\nargon2: {memory: 64, iterations: 1}\n" +
		"registration:\n  key: \"an-example-registration-key-of-32b\"\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	settings, _, err := config.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := &recorder{}
	ctx := context.Background()
	// Today at 10:00 UTC: a test that refreshes within the hour stays within the day the store rounds a grant's
	// expiry to (store.GrantDay), whenever it runs.
	now := time.Now().UTC().Truncate(24 * time.Hour).Add(10 * time.Hour)
	clock := testclock.New(now)
	s, err := assembly.Build(ctx, &settings.Hosts[0], be.open(t, clock.Now), assembly.Options{
		KeyAlgorithms: []string{"ES256"}, Now: clock.Now,
		Events: func(*config.HostSettings) (events.Sink, error) { return ev, nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	if err := s.Prepare(ctx); err != nil { // the host's keys, as `assentry serve` stores them
		t.Fatal(err)
	}
	u, err := s.Accounts.Add(ctx, account.NewUser{Username: "alice", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return &accountEnv{t: t, ctx: ctx, s: s, ev: ev, user: u, now: now, clock: clock}
}

// login signs alice in from a new browser and returns it with its session cookie.
func (e *accountEnv) login(pw string) interaction.Browser {
	e.t.Helper()
	b := interaction.Browser{CSRF: "csrf-" + pw, Addr: "192.0.2.1"}
	st, err := e.s.Flow.Login(e.ctx, interaction.LoginForm{Username: "alice", Password: pw}, b)
	if err != nil || st.NewSession == "" {
		e.t.Fatalf("login: %+v %v", st, err)
	}
	b.Session = st.NewSession
	return b
}

// tokenValue is the value of token kind of grant id as e.grant stores it (the store keeps its digest).
func tokenValue(id string, kind store.TokenKind) string {
	if kind == store.RefreshToken {
		return oauth.PrefixRefreshToken + id
	}
	return oauth.PrefixAccessToken + id
}

// grant stores an authorization of clientID to alice, made at (the clock reads at while the store writes it),
// with an access and a refresh token (values: tokenValue) that expire an hour after now, and resources.
func (e *accountEnv) grant(id, clientID string, at time.Time, scopes []string, resources ...string) []*store.Token {
	e.t.Helper()
	g := &store.Grant{ID: id, Host: e.s.Settings.ID, UserID: e.user.ID, ClientID: clientID, Scopes: scopes,
		Resources: resources, AuthTime: at, CreatedAt: at, ExpiresAt: e.now.Add(time.Hour)}
	var toks []*store.Token
	for _, k := range []store.TokenKind{store.AccessToken, store.RefreshToken} {
		toks = append(toks, &store.Token{ID: oauth.Digest(tokenValue(id, k)), Host: g.Host, Kind: k, GrantID: id,
			ClientID: clientID, UserID: e.user.ID, Scopes: scopes, Audience: resources, IssuedAt: at,
			ExpiresAt: e.now.Add(time.Hour)})
	}
	was := e.clock.Now()
	e.clock.Set(at)
	defer e.clock.Set(was)
	if err := e.s.OAuth.Grants.Create(e.ctx, g, toks...); err != nil {
		e.t.Fatal(err)
	}
	return toks
}

func (e *accountEnv) page(b interaction.Browser, q interaction.AccountQuery) *themes.Page {
	e.t.Helper()
	st, err := e.s.Flow.AccountPage(e.ctx, q, b)
	if err != nil || st.Template != themes.PageAccount || st.Status != http.StatusOK {
		e.t.Fatalf("account page: %+v %v", st, err)
	}
	return st.Page
}

func TestAccountSignInFirst(t *testing.T) {
	e := newAccountEnv(t)
	anon := interaction.Browser{CSRF: "c", Addr: "192.0.2.1"}
	st, err := e.s.Flow.AccountPage(e.ctx, interaction.AccountQuery{}, anon)
	if err != nil || st.Location != "/login?next=account" {
		t.Fatalf("signed out: %+v %v, want the login page", st, err)
	}
	// The login page carries next on its form's target, and signing in comes back.
	st, err = e.s.Flow.LoginPage(e.ctx, "", "", interaction.LoginNextAccount, anon)
	if err != nil || st.Page.Action != "/login?next=account" {
		t.Fatalf("login page: %+v %v", st, err)
	}
	st, err = e.s.Flow.Login(e.ctx, interaction.LoginForm{Username: "alice", Password: "correct horse battery",
		Next: interaction.LoginNextAccount}, anon)
	if err != nil || st.Location != themes.AccountPath || st.NewSession == "" {
		t.Fatalf("login with next: %+v %v", st, err)
	}
	// Anything else in next is ignored: the signed-in page, never a redirect elsewhere.
	st, err = e.s.Flow.Login(e.ctx, interaction.LoginForm{Username: "alice", Password: "correct horse battery",
		Next: "https://evil.example/"}, anon)
	if err != nil || st.Location != "/login" {
		t.Fatalf("login with a foreign next: %+v %v", st, err)
	}
	for _, f := range []func(interaction.Browser) (*interaction.Step, error){
		func(b interaction.Browser) (*interaction.Step, error) { return e.s.Flow.AccountRevoke(e.ctx, "x", b) },
		func(b interaction.Browser) (*interaction.Step, error) { return e.s.Flow.AccountSignOutOthers(e.ctx, b) },
		func(b interaction.Browser) (*interaction.Step, error) {
			return e.s.Flow.AccountPassword(e.ctx, interaction.PasswordForm{Current: "a", New: "b", Confirm: "b"}, b)
		},
	} {
		if st, err := f(anon); err != nil || st.Location != "/login?next=account" {
			t.Errorf("an action without a session: %+v %v", st, err)
		}
	}
}

// TestAccountApplicationsAndRevoke: the page lists each application once, with its origin, scopes and dates
// from its grants and consent; removing one ends every grant of it and the consent, so its access token is
// inactive at introspection and its refresh token refused, and leaves the others alone. On every backend.
func TestAccountApplicationsAndRevoke(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { testAccountApplicationsAndRevoke(t, be) })
	}
}

// introspect is RFC 7662 at the host's provider, as the client with secret.
func (e *accountEnv) introspect(clientID, secret, value string) bool {
	e.t.Helper()
	out, oe := e.s.OAuth.Introspect(e.ctx, &oauth.IntrospectionRequest{Params: oauth.Params{"token": value},
		Client: basic(clientID, secret)})
	if oe != nil {
		e.t.Fatalf("introspect: %v", oe)
	}
	return out.Active
}

// refresh redeems a refresh token at the host's provider, as the client with secret.
func (e *accountEnv) refresh(clientID, secret, value string) (*oauth.TokenResponse, *oauth.Error) {
	return e.s.OAuth.Token(e.ctx, &oauth.TokenRequest{
		Params: oauth.Params{"grant_type": oauth.GrantRefreshToken, "refresh_token": value},
		Client: basic(clientID, secret)})
}

// basic is client_secret_basic (RFC 6749 §2.3.1: each part form-urlencoded, then base64).
func basic(clientID, secret string) oauth.ClientCredentials {
	raw := url.QueryEscape(clientID) + ":" + url.QueryEscape(secret)
	return oauth.ClientCredentials{Authorization: "Basic " + base64.StdEncoding.EncodeToString([]byte(raw))}
}

func testAccountApplicationsAndRevoke(t *testing.T, be backend) {
	e := newAccountEnvOn(t, be)
	web, secret, err := e.s.Clients.Create(e.ctx, oauth.ClientSpec{Name: "Web App", ClientURI: "https://web.example.com/",
		RedirectURIs: []string{"https://login.web-cdn.example/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := e.s.Registry.Register(e.ctx, []byte(`{"client_name":"Chat","client_uri":"https://chat.example.org/","redirect_uris":["https://chat.example.org/cb"]}`))
	if err != nil {
		t.Fatal(err)
	}
	first, last := e.now.Add(-48*time.Hour), e.now.Add(-time.Hour)
	webToks := e.grant("g-web-1", web.ID, first, []string{"openid", "profile"})
	e.grant("g-web-2", web.ID, last, []string{"openid", "email"}, "https://api.example.com/", "urn:example:files")
	chatToks := e.grant("g-chat", reg.ClientID, e.now.Add(-30*time.Minute), []string{"openid"})
	consent := &store.Consent{Host: e.s.Settings.ID, UserID: e.user.ID, ClientID: web.ID, Scopes: []string{"openid", "profile"},
		CreatedAt: first, UpdatedAt: first}
	if err := e.s.OAuth.Consents.Put(e.ctx, consent); err != nil {
		t.Fatal(err)
	}
	b := e.login("correct horse battery")

	apps := e.page(b, interaction.AccountQuery{}).Account.Applications
	if len(apps) != 2 {
		t.Fatalf("applications: %+v", apps)
	}
	// Most recently used first: the registered client, named from its client_id.
	if a := apps[0]; a.Client.Name != "Chat" || a.Origin != "chat.example.org" || a.Client.ID != reg.ClientID {
		t.Errorf("registered client: %+v %+v", a, a.Client)
	}
	a := apps[1]
	var names []string
	for _, s := range a.Scopes {
		names = append(names, s.Name)
	}
	if a.Client.Name != "Web App" || a.Origin != "web.example.com" || !a.FirstUsed.Equal(first) ||
		!a.LastUsed.Equal(last) || !slices.Equal(names, []string{"openid", "profile", "email"}) {
		t.Errorf("static client: %+v (first %v, last %v), scopes %v", a, a.FirstUsed, a.LastUsed, names)
	}
	if want := []string{"https://api.example.com/", "urn:example:files"}; !slices.Equal(a.Resources, want) {
		t.Errorf("static client: resources %q, want %q (those of its grants)", a.Resources, want)
	}
	if r := apps[0].Resources; len(r) != 0 {
		t.Errorf("registered client: resources %q, want none", r)
	}
	if a.Scopes[0].Title == "" {
		t.Error("scopes carry no title from the catalogue")
	}

	// Before the removal the tokens work (else the checks after it would prove nothing): the access token is
	// active, and the refresh token is redeemed for new ones.
	access := tokenValue("g-web-1", store.AccessToken)
	if !e.introspect(web.ID, secret, access) {
		t.Fatal("the access token is inactive before the removal")
	}
	fresh, oe := e.refresh(web.ID, secret, tokenValue("g-web-1", store.RefreshToken))
	if oe != nil || fresh.RefreshToken == "" || !e.introspect(web.ID, secret, fresh.AccessToken) {
		t.Fatalf("refresh before the removal: %+v %v", fresh, oe)
	}
	refresh := fresh.RefreshToken

	st, err := e.s.Flow.AccountRevoke(e.ctx, web.ID, b)
	if err != nil || st.Location != "/account?done=revoked" {
		t.Fatalf("revoke: %+v %v", st, err)
	}
	for _, v := range []string{access, fresh.AccessToken} {
		if e.introspect(web.ID, secret, v) {
			t.Error("introspection: an access token of the removed application is active")
		}
	}
	if res, oe := e.refresh(web.ID, secret, refresh); oe == nil || oe.Code != oauth.CodeInvalidGrant {
		t.Errorf("refresh after the removal: %+v %v, want invalid_grant", res, oe)
	}
	for _, tok := range webToks {
		if _, err := e.s.OAuth.Tokens.Get(e.ctx, e.s.Settings.ID, tok.ID); !errors.Is(err, store.ErrRevoked) {
			t.Errorf("%s token of the revoked application: %v, want ErrRevoked", tok.Kind, err)
		}
	}
	for _, id := range []string{"g-web-1", "g-web-2"} {
		if g, err := e.s.OAuth.Grants.Get(e.ctx, e.s.Settings.ID, id); err != nil || !g.Revoked {
			t.Errorf("grant %s: %+v %v", id, g, err)
		}
	}
	if _, err := e.s.OAuth.Consents.Get(e.ctx, e.s.Settings.ID, e.user.ID, web.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("consent after revoke: %v", err)
	}
	if _, err := e.s.OAuth.Tokens.Get(e.ctx, e.s.Settings.ID, chatToks[0].ID); err != nil {
		t.Errorf("another application's token: %v", err)
	}
	p := e.page(b, interaction.AccountQuery{Done: "revoked"})
	if p.Account.Done != "revoked" || len(p.Account.Applications) != 1 || p.Account.Applications[0].Client.Name != "Chat" {
		t.Errorf("page after revoke: %+v", p.Account)
	}
	withdrawn := e.ev.of(events.ConsentWithdrawn)
	if len(withdrawn) != 1 || withdrawn[0].ClientID != web.ID || withdrawn[0].UserID != e.user.ID ||
		withdrawn[0].Scope != "openid profile" || withdrawn[0].IP != "192.0.2.1" {
		t.Errorf("consent.withdrawn events: %+v", withdrawn)
	}
	revoked := e.ev.of(events.TokenRevoked)
	if len(revoked) != 2 || revoked[0].Reason != "user_revoked" || revoked[0].ClientID != web.ID {
		t.Errorf("token.revoked events: %+v", revoked)
	}
	// A client the user gave nothing to (or already revoked) changes nothing.
	if st, err := e.s.Flow.AccountRevoke(e.ctx, web.ID, b); err != nil || st.Location != "/account" {
		t.Errorf("revoke again: %+v %v", st, err)
	}
	if n := len(e.ev.of(events.TokenRevoked)); n != 2 {
		t.Errorf("revoking again emitted events: %d", n)
	}
}

func TestAccountSessions(t *testing.T) {
	e := newAccountEnv(t)
	here := e.login("correct horse battery")
	other := e.login("correct horse battery")
	p := e.page(here, interaction.AccountQuery{})
	if s := p.Account.Sessions; len(s) != 2 || s[0].Current == s[1].Current {
		t.Fatalf("sessions: %+v", s)
	}
	st, err := e.s.Flow.AccountSignOutOthers(e.ctx, here)
	if err != nil || st.Location != "/account?done=signed_out&n=1" {
		t.Fatalf("sign out elsewhere: %+v %v", st, err)
	}
	if _, _, err := e.s.Sessions.Lookup(e.ctx, other.Session); err == nil {
		t.Error("the other browser is still signed in")
	}
	p = e.page(here, interaction.AccountQuery{Done: "signed_out", N: "1"})
	if s := p.Account.Sessions; len(s) != 1 || !s[0].Current || p.Account.SignedOut != 1 {
		t.Errorf("after: %+v", p.Account)
	}
	if p := e.page(here, interaction.AccountQuery{Done: "<b>anything</b>", N: "-3"}); p.Account.Done != "" {
		t.Errorf("an unknown done is shown: %q", p.Account.Done)
	}
}

func TestAccountPassword(t *testing.T) {
	e := newAccountEnv(t)
	here := e.login("correct horse battery")
	other := e.login("correct horse battery")
	toks := e.grant("g1", "some-client", e.now, []string{"openid"})
	tests := []struct {
		name   string
		form   interaction.PasswordForm
		status int
		key    string // the catalog message the page shows
	}{
		{"wrong current", interaction.PasswordForm{Current: "wrong", New: "a new horse battery", Confirm: "a new horse battery"}, 401, themes.MsgAccountWrongPassword},
		{"mismatch", interaction.PasswordForm{Current: "correct horse battery", New: "a new horse battery", Confirm: "a new hose battery"}, 400, themes.MsgAccountMismatch},
		{"empty", interaction.PasswordForm{Current: "correct horse battery"}, 400, themes.MsgAccountMissing},
		{"refused by the password policy", interaction.PasswordForm{Current: "correct horse battery", New: "short one",
			Confirm: "short one"}, 400, themes.MsgAccountPasswordRule + "too_short"},
		{"longer than a login accepts", interaction.PasswordForm{Current: "correct horse battery", New: strings.Repeat("horse ", 171),
			Confirm: strings.Repeat("horse ", 171)}, 400, themes.MsgAccountPasswordRule + "too_long"},
	}
	for _, tt := range tests {
		st, err := e.s.Flow.AccountPassword(e.ctx, tt.form, here)
		if err != nil || st.Status != tt.status || st.Page.Error == nil || st.Page.Error.Key != tt.key {
			t.Errorf("%s: %+v %v", tt.name, st, err)
		} else if tt.key == themes.MsgAccountPasswordRule+"too_long" && !slices.Equal(st.Page.Error.Args, []any{"min", 15, "max", 1024}) {
			t.Errorf("%s: message arguments %v, want the policy's minimum and maximum", tt.name, st.Page.Error.Args)
		}
	}
	if _, err := e.s.Accounts.Authenticate(e.ctx, "alice", "correct horse battery"); err != nil {
		t.Fatalf("a refused change changed the password: %v", err)
	}
	st, err := e.s.Flow.AccountPassword(e.ctx, interaction.PasswordForm{Current: "correct horse battery", New: "a new horse battery",
		Confirm: "a new horse battery"}, here)
	if err != nil || st.Location != "/account?done=password" || st.NewSession == "" {
		t.Fatalf("change: %+v %v", st, err)
	}
	if _, err := e.s.Accounts.Authenticate(e.ctx, "alice", "a new horse battery"); err != nil {
		t.Errorf("new password: %v", err)
	}
	for name, cookie := range map[string]string{"the other browser": other.Session, "the old session": here.Session} {
		if _, _, err := e.s.Sessions.Lookup(e.ctx, cookie); err == nil {
			t.Errorf("%s is still signed in", name)
		}
	}
	if _, _, err := e.s.Sessions.Lookup(e.ctx, st.NewSession); err != nil {
		t.Errorf("this browser's new session: %v", err)
	}
	if _, err := e.s.OAuth.Tokens.Get(e.ctx, e.s.Settings.ID, toks[1].ID); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("refresh token after the change: %v", err)
	}
	if ev := e.ev.of(events.TokenRevoked); len(ev) != 1 || ev[0].Reason != "password_changed" {
		t.Errorf("events: %+v", ev)
	}
}

// TestAccountLastUsedRefresh: an application used through refresh tokens shows when it was last used, from the
// grant's record of its last issuance (Grant.UsedAt), to within a day: a refresh that extends the grant moves
// LastUsed, one within the same day need not (the grant is not rewritten for it). On every backend.
func TestAccountLastUsedRefresh(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			e := newAccountEnvOn(t, be)
			web, secret, err := e.s.Clients.Create(e.ctx, oauth.ClientSpec{Name: "Web App",
				ClientURI: "https://web.example.com/", RedirectURIs: []string{"https://web.example.com/cb"}})
			if err != nil {
				t.Fatal(err)
			}
			signedIn := e.now.Add(-10 * 24 * time.Hour)
			e.grant("g1", web.ID, signedIn, []string{"openid", "offline_access"})
			b := e.login("correct horse battery")
			lastUsed := func() time.Time {
				t.Helper()
				apps := e.page(b, interaction.AccountQuery{}).Account.Applications
				if len(apps) != 1 {
					t.Fatalf("applications: %+v", apps)
				}
				return apps[0].LastUsed
			}
			if got := lastUsed(); !got.Equal(signedIn) {
				t.Fatalf("before any refresh: LastUsed %v, want the sign-in %v", got, signedIn)
			}

			res, oe := e.refresh(web.ID, secret, tokenValue("g1", store.RefreshToken))
			if oe != nil {
				t.Fatalf("refresh: %v", oe)
			}
			if got := lastUsed(); !got.Equal(e.now) {
				t.Errorf("after a refresh ten days later: LastUsed %v, want the refresh %v", got, e.now)
			}

			e.clock.Advance(time.Hour)
			if _, oe := e.refresh(web.ID, secret, res.RefreshToken); oe != nil {
				t.Fatalf("second refresh: %v", oe)
			}
			if got := lastUsed(); !got.Equal(e.now) {
				t.Errorf("after a refresh within the day: LastUsed %v, want %v still (no write for the page)", got, e.now)
			}
		})
	}
}
