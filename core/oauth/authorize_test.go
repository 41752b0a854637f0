package oauth

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

const testChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

// newAuthzProvider is a provider on real Badger with a confidential web client, a public native client and an
// untrusted client.
func newAuthzProvider(t testing.TB) (*Provider, store.Store) {
	t.Helper()
	st := badgertest.New(t, nil)
	clients := NewClients("h", st.Clients(), ServedGrantTypes, nil)
	ctx := context.Background()
	for _, spec := range []ClientSpec{
		{ID: "web", Name: "Web", RedirectURIs: []string{"https://app.example.com/cb", "https://app.example.com/cb2?x=1"}, Scopes: []string{"openid", "profile", "offline_access", "user"}},
		{ID: "native", Name: "Native", Public: true, RedirectURIs: []string{"http://127.0.0.1/cb"}},
		{ID: "oob", Name: "OOB", Public: true, RedirectURIs: []string{OOBRedirect}},
		{ID: "single", Name: "Single", RedirectURIs: []string{"https://single.example.com/cb"}, GrantTypes: []string{GrantAuthorizationCode}},
		{ID: "rtonly", Name: "No code grant", RedirectURIs: []string{"https://app.example.com/cb"}, GrantTypes: []string{GrantRefreshToken}},
	} {
		if _, _, err := clients.Create(ctx, spec); err != nil {
			t.Fatal(err)
		}
	}
	scopes := NewCatalogue(tkRoles, nil)
	p, err := New(Options{
		Host: "h",
		Settings: Settings{Issuer: "https://auth.example.com", AccessTokenTTL: time.Hour, RefreshTokenTTL: 24 * time.Hour,
			CodeTTL: time.Minute, GrantTypes: ServedGrantTypes, ResponseTypes: []string{"code"},
			RequireCodeChallenge: true, CodeChallengeMethods: []string{PKCES256}},
		Clients: clients, Users: st.Users(), Grants: st.Grants(), Tokens: st.Tokens(), Codes: st.Codes(),
		DeviceCodes: st.DeviceCodes(), Consents: st.Consents(), Interactions: st.Interactions(),
		Scopes: scopes, Policy: builtinChain(t, "h", scopes, nil), ClientAuthLimits: roomyClientAuthLimits(nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, st
}

func query(s string) Params {
	v, _ := url.ParseQuery(s)
	p, err := ParseParams(v)
	if err != nil {
		panic(err)
	}
	return p
}

func TestParseAuthorizeRules(t *testing.T) {
	p, _ := newAuthzProvider(t)
	base := "client_id=web&redirect_uri=https://app.example.com/cb&response_type=code&state=xyz&code_challenge=" + testChallenge + "&code_challenge_method=S256"
	tests := []struct {
		name     string
		q        string
		show     bool   // shown on a page (client or redirect not verified)
		redirect string // the error code redirected
	}{
		{"valid", base, false, ""},
		{"no client_id", "response_type=code", true, ""},
		{"unknown client", strings.Replace(base, "client_id=web", "client_id=nope", 1), true, ""},
		{"unregistered redirect", strings.Replace(base, "/cb&", "/other&", 1), true, ""},
		{"redirect differs by a trailing slash", strings.Replace(base, "/cb&", "/cb/&", 1), true, ""},
		{"redirect with extra query", strings.Replace(base, "/cb&", "/cb?a=1&", 1), true, ""},
		{"missing redirect with two registered", strings.Replace(base, "redirect_uri=https://app.example.com/cb&", "", 1), true, ""},
		{"missing response_type", strings.Replace(base, "response_type=code&", "", 1), false, CodeInvalidRequest},
		{"token response type", strings.Replace(base, "response_type=code", "response_type=token", 1), false, CodeUnsupportedResponseType},
		{"request object", base + "&request=eyJ", false, CodeRequestNotSupported},
		{"request_uri", base + "&request_uri=https://x", false, CodeRequestURINotSupported},
		{"form_post response mode", base + "&response_mode=form_post", false, CodeInvalidRequest},
		{"no challenge", strings.Replace(base, "code_challenge="+testChallenge+"&code_challenge_method=S256", "", 1), false, CodeInvalidRequest},
		{"plain not enabled", strings.Replace(base, "S256", "plain", 1), false, CodeInvalidRequest},
		{"method absent means plain", strings.Replace(base, "&code_challenge_method=S256", "", 1), false, CodeInvalidRequest},
		{"unknown method", strings.Replace(base, "S256", "S512", 1), false, CodeInvalidRequest},
		{"challenge 42 chars", strings.Replace(base, testChallenge, testChallenge[:42], 1), false, CodeInvalidRequest},
		{"challenge 129 chars", strings.Replace(base, testChallenge, strings.Repeat("a", 129), 1), false, CodeInvalidRequest},
		{"challenge bad char", strings.Replace(base, testChallenge, testChallenge[:42]+"+", 1), false, CodeInvalidRequest},
		{"challenge 128 chars", strings.Replace(base, testChallenge, strings.Repeat("a", 128), 1), false, ""},
		{"method without challenge", strings.Replace(base, "code_challenge="+testChallenge+"&", "", 1), false, CodeInvalidRequest},
		{"prompt none with login", base + "&prompt=none+login", false, CodeInvalidRequest},
		{"prompt unknown ignored", base + "&prompt=create", false, ""},
		{"negative max_age", base + "&max_age=-1", false, CodeInvalidRequest},
		{"bad max_age", base + "&max_age=soon", false, CodeInvalidRequest},
		{"single registered redirect used when none is given", "client_id=single&response_type=code&code_challenge=" + testChallenge + "&code_challenge_method=S256", false, ""},
		{"client without the code grant", strings.Replace(base, "client_id=web", "client_id=rtonly", 1), false, CodeUnauthorizedClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.ParseAuthorize(context.Background(), query(tt.q))
			var se *ShowError
			var re *RedirectError
			switch {
			case tt.show:
				if !errors.As(err, &se) {
					t.Fatalf("err = %v, want a shown error", err)
				}
			case tt.redirect != "":
				if !errors.As(err, &re) || re.Err.Code != tt.redirect {
					t.Fatalf("err = %v, want redirected %s", err, tt.redirect)
				}
				if re.State != "xyz" || re.RedirectURI != "https://app.example.com/cb" {
					t.Fatalf("redirect error lost state or URI: %+v", re)
				}
			case err != nil:
				t.Fatalf("valid request refused: %v", err)
			}
		})
	}
}

func TestParseParamsRejectsDuplicates(t *testing.T) {
	v, _ := url.ParseQuery("client_id=a&client_id=b")
	if _, err := ParseParams(v); err == nil || err.Code != CodeInvalidRequest {
		t.Fatalf("duplicate client_id: %v", err)
	}
	v, _ = url.ParseQuery("scope=a&scope=b")
	p, err := ParseParams(v, "scope")
	if err != nil || p["scope"] != "a b" {
		t.Fatalf("multi scope: %v %v", p, err)
	}
	v, _ = url.ParseQuery("state=&nonce=n")
	if p, _ := ParseParams(v); p["state"] != "" || len(p) != 1 {
		t.Fatalf("empty values must count as absent: %v", p)
	}
}

func TestRedirectURIMatching(t *testing.T) {
	reg := []string{"http://127.0.0.1/cb", "http://localhost:9000/cb", "https://app.example.com/cb", "com.example.app:/cb"}
	tests := []struct {
		req  string
		want bool
	}{
		{"http://127.0.0.1/cb", true},
		{"http://127.0.0.1:51234/cb", true}, // RFC 8252 §7.3: any port on loopback
		{"http://localhost:1/cb", true},
		{"http://127.0.0.1:51234/other", false},
		{"http://127.0.0.1:51234/cb?x=1", false},
		{"http://[::1]:8000/cb", false}, // loopback, but not the same host as any registered one
		{"https://app.example.com:8443/cb", false},
		{"https://app.example.com/cb", true},
		{"com.example.app:/cb", true},
		{"com.example.app:/cb2", false},
		{"http://127.0.0.1.evil.example/cb", false},
	}
	for _, tt := range tests {
		if _, got := MatchRedirectURI(reg, tt.req); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.req, got, tt.want)
		}
	}
	if u, ok := MatchRedirectURI([]string{"https://a.example/cb"}, ""); !ok || u != "https://a.example/cb" {
		t.Error("the single registered URI is not used when none is given")
	}
}

func TestPKCEPublicClientAndOOB(t *testing.T) {
	p, _ := newAuthzProvider(t)
	p.Settings.RequireCodeChallenge = false
	ctx := context.Background()
	// A public client needs PKCE even when the host does not require it (RFC 9700 §2.1.1)...
	_, err := p.ParseAuthorize(ctx, query("client_id=native&response_type=code&redirect_uri=http://127.0.0.1:4000/cb"))
	var re *RedirectError
	if !errors.As(err, &re) || re.Err.Code != CodeInvalidRequest {
		t.Fatalf("public client without PKCE: %v", err)
	}
	// ...a confidential one does not...
	if _, err := p.ParseAuthorize(ctx, query("client_id=web&response_type=code&redirect_uri=https://app.example.com/cb")); err != nil {
		t.Fatalf("confidential client without PKCE when not required: %v", err)
	}
	// ...and a client registered with Assentry needs it for the out-of-band redirect too (TestPKCEForOOB).
	if _, err := p.ParseAuthorize(ctx, query("client_id=oob&response_type=code")); !errors.As(err, &re) || re.Err.Code != CodeInvalidRequest {
		t.Fatalf("OOB without PKCE: %v", err)
	}
}

// markLegacy marks the client "legacy" as registered with mod_http_oauth2, as the registration source does for
// a client_id without iss.
type markLegacy struct{ ClientSource }

func (m markLegacy) Get(ctx context.Context, id string) (*store.Client, error) {
	c, err := m.ClientSource.Get(ctx, id)
	if err == nil && id == "legacy" {
		c.Legacy = true
	}
	return c, err
}

// TestPKCEForOOB: OAuth 2.1 §4.1.1 and RFC 9700 §2.1.1: the out-of-band redirect shows the code on a page, where
// whoever sees the screen can read it, so a client registered with Assentry must bind it with an S256
// code_challenge (plain would put the verifier itself in the URL the browser shows), whatever
// require_code_challenge says and whether or not the client has a secret. A legacy client (registered with
// mod_http_oauth2, which never asked for PKCE there) is exempt unless the host sets oob_require_pkce. A refusal
// is invalid_request (RFC 7636 §4.4.1) to the OOB redirect, which the interaction layer shows as a page.
func TestPKCEForOOB(t *testing.T) {
	const s256 = "&code_challenge=" + testChallenge + "&code_challenge_method=S256"
	const plain = "&code_challenge=" + testChallenge + "&code_challenge_method=plain"
	tests := []struct {
		name    string
		q       string
		strict  bool // oob_require_pkce
		refused bool
	}{
		{name: "public client, no challenge", q: "client_id=oob", refused: true},
		{name: "public client, S256", q: "client_id=oob" + s256},
		{name: "public client, plain", q: "client_id=oob" + plain, refused: true},
		{name: "confidential client, no challenge", q: "client_id=oobconf", refused: true},
		{name: "confidential client, S256", q: "client_id=oobconf" + s256},
		{name: "legacy client, no challenge", q: "client_id=legacy"},
		{name: "legacy client, S256", q: "client_id=legacy" + s256},
		{name: "legacy client, no challenge, oob_require_pkce", q: "client_id=legacy", strict: true, refused: true},
		{name: "legacy client, plain, oob_require_pkce", q: "client_id=legacy" + plain, strict: true, refused: true},
		{name: "legacy client, S256, oob_require_pkce", q: "client_id=legacy" + s256, strict: true},
		{name: "public client, S256, oob_require_pkce", q: "client_id=oob" + s256, strict: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, st := newAuthzProvider(t)
			ctx := context.Background()
			clients := NewClients("h", st.Clients(), ServedGrantTypes, nil)
			for _, id := range []string{"oobconf", "legacy"} {
				if _, _, err := clients.Create(ctx, ClientSpec{ID: id, Name: id, RedirectURIs: []string{OOBRedirect}}); err != nil {
					t.Fatal(err)
				}
			}
			p.Clients = markLegacy{p.Clients}
			// The loosest host: PKCE not required in general, plain allowed. The OOB rule holds anyway.
			p.Settings.RequireCodeChallenge = false
			p.Settings.CodeChallengeMethods = []string{PKCES256, PKCEPlain}
			p.Settings.OOBRequirePKCE = tt.strict
			r, err := p.ParseAuthorize(ctx, query(tt.q+"&response_type=code&state=xyz"))
			if !tt.refused {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if r.RedirectURI != OOBRedirect {
					t.Fatalf("redirect %q", r.RedirectURI)
				}
				return
			}
			var re *RedirectError
			if !errors.As(err, &re) || re.Err.Code != CodeInvalidRequest || re.RedirectURI != OOBRedirect ||
				!strings.Contains(re.Err.Description, "code_challenge") {
				t.Fatalf("err = %v, want invalid_request about the code_challenge for the OOB redirect", err)
			}
		})
	}
}

func TestScopesDroppedAndBounded(t *testing.T) {
	p, _ := newAuthzProvider(t)
	r, err := p.ParseAuthorize(context.Background(), query("client_id=web&redirect_uri=https://app.example.com/cb&response_type=code&code_challenge="+testChallenge+"&code_challenge_method=S256&scope=openid+unknown+email+profile+admin+user+openid"))
	if err != nil {
		t.Fatal(err)
	}
	// email and admin are known but not among the client's scopes; unknown is dropped; openid once.
	if got := JoinScope(r.Scopes); got != "openid profile user" {
		t.Fatalf("scopes = %q", got)
	}
	if got := JoinScope(p.Scopes.Grantable(r.Scopes, nil, []string{"admin"})); got != "openid profile" {
		t.Fatalf("role scope granted to a user without the role: %q", got)
	}
	if got := JoinScope(p.Scopes.Grantable([]string{"xmpp", "admin"}, nil, []string{"admin"})); got != "xmpp admin" {
		t.Fatalf("xmpp and held role: %q", got)
	}
}

// TestAuthorizeErrorsDoNotEchoValues: an authorization error describes the problem without quoting the value
// sent (RFC 6749 §4.1.2.1 carries error_description to the client's page), whether shown or redirected, and
// a repeated parameter is named in Field only.
func TestAuthorizeErrorsDoNotEchoValues(t *testing.T) {
	p, _ := newAuthzProvider(t)
	const marker = "zq7mrk"
	bad := url.QueryEscape(`"\§<script>` + marker + "é")
	base := "client_id=web&redirect_uri=https://app.example.com/cb&response_type=code&state=xyz&code_challenge=" +
		testChallenge + "&code_challenge_method=S256"
	tests := []struct{ name, q string }{
		{"response_type", strings.Replace(base, "response_type=code", "response_type="+bad, 1)},
		{"response_mode", base + "&response_mode=" + bad},
		{"code_challenge_method", strings.Replace(base, "code_challenge_method=S256", "code_challenge_method="+bad, 1)},
		{"code_challenge", strings.Replace(base, testChallenge, bad, 1)},
		{"max_age", base + "&max_age=" + bad},
		{"unknown client", strings.Replace(base, "client_id=web", "client_id="+bad, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.ParseAuthorize(context.Background(), query(tt.q))
			var se *ShowError
			var re *RedirectError
			var e *Error
			switch {
			case errors.As(err, &re):
				e = re.Err
			case errors.As(err, &se):
				e = se.Err
			default:
				t.Fatalf("err = %v, want an authorization error", err)
			}
			wantErr(t, e, e.Code, e.Status) // the character set
			if strings.Contains(e.Description, marker) {
				t.Fatalf("description echoes the request: %q", e.Description)
			}
		})
	}
	v, _ := url.ParseQuery(base + "&" + bad + "=1&" + bad + "=2")
	_, e := ParseParams(v)
	if e == nil || strings.Contains(e.Description, marker) || !strings.Contains(e.Field, marker) {
		t.Fatalf("repeated parameter: %+v", e)
	}
}
