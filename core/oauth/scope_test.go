package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// malformedScopes are scope parameters with a token outside RFC 6749 §3.3's scope-token
// (1*( %x21 / %x23-5B / %x5D-7E )) or a separator other than the space.
var malformedScopes = []struct{ name, scope string }{
	{"double quote", `openid "api"`},
	{"backslash", `openid a\b`},
	{"non-ASCII", "openid caf\u00e9"},
	{"tab separator", "openid\tprofile"},
	{"newline separator", "openid\nprofile"},
	{"DEL", "openid \x7f"},
	{"NUL", "openid\x00"},
}

// TestParseScope: RFC 6749 §3.3: scope = scope-token *( SP scope-token ). Extra spaces are tolerated; any other
// character outside scope-token is invalid_scope, whose description does not quote the token.
func TestParseScope(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"one", "openid", []string{"openid"}},
		{"several, in order, repeats kept", "openid profile openid", []string{"openid", "profile", "openid"}},
		{"extra spaces", "  openid   profile ", []string{"openid", "profile"}},
		{"every allowed character", "!#[]~ urn:x-y/z?a=b&c", []string{"!#[]~", "urn:x-y/z?a=b&c"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScope(tt.in)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("ParseScope(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	for _, tt := range malformedScopes {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScope(tt.scope + " zq7mrk")
			wantErr(t, err, CodeInvalidScope, http.StatusBadRequest)
			if got != nil || strings.Contains(err.Description, "zq7mrk") {
				t.Fatalf("ParseScope = %q, %v", got, err)
			}
		})
	}
}

// TestMalformedScopesRefused: a malformed scope is invalid_scope wherever a scope is requested, not dropped
// as an unknown scope is: redirected from the authorization endpoint once the client and redirect URI are
// verified (RFC 6749 §4.1.2.1), 400 from the token endpoint (RFC 6749 §5.2) for client credentials, password and
// refresh (where it would narrow the scope), and from the device authorization endpoint (RFC 8628 §3.2).
func TestMalformedScopesRefused(t *testing.T) {
	authz, _ := newAuthzProvider(t)
	g := newGrantEnv(t, grantOpts{})
	svc := g.addClient("svc", "svc-secret", []string{GrantClientCredentials}, nil)
	pwc := g.addClient("pwc", "pwc-secret", []string{GrantPassword}, nil)
	dev := newTokenEnv(t, withDevice)
	for _, tt := range malformedScopes {
		t.Run(tt.name+"/authorize", func(t *testing.T) {
			raw := "client_id=web&redirect_uri=https://app.example.com/cb&response_type=code&state=xyz&code_challenge=" +
				testChallenge + "&code_challenge_method=S256&scope=" + url.QueryEscape(tt.scope)
			if strings.ContainsRune(tt.scope, 0) {
				// A NUL is refused with every parameter, before any is read (TestParamsNotText).
				v, _ := url.ParseQuery(raw)
				_, e := ParseParams(v)
				wantErr(t, e, CodeInvalidRequest, http.StatusBadRequest)
				return
			}
			_, err := authz.ParseAuthorize(context.Background(), query(raw))
			var re *RedirectError
			if !errors.As(err, &re) || re.State != "xyz" || re.RedirectURI != "https://app.example.com/cb" {
				t.Fatalf("%v, want a redirected invalid_scope", err)
			}
			wantErr(t, re.Err, CodeInvalidScope, http.StatusBadRequest)
		})
		t.Run(tt.name+"/client_credentials", func(t *testing.T) {
			_, e := g.token(svc, "grant_type", GrantClientCredentials, "scope", tt.scope)
			wantErr(t, e, CodeInvalidScope, http.StatusBadRequest)
		})
		t.Run(tt.name+"/password", func(t *testing.T) {
			_, e := g.token(pwc, "grant_type", GrantPassword, "username", "bob", "password", "correct horse battery", "scope", tt.scope)
			wantErr(t, e, CodeInvalidScope, http.StatusBadRequest)
		})
		t.Run(tt.name+"/refresh", func(t *testing.T) {
			first := g.mustExchange("web", ScopeOpenID, "profile", ScopeOfflineAccess)
			_, e := g.refresh("web", first.RefreshToken, "scope", tt.scope)
			wantErr(t, e, CodeInvalidScope, http.StatusBadRequest)
			if !g.usable(first.RefreshToken) {
				t.Fatal("invalid_scope consumed the refresh token")
			}
		})
		t.Run(tt.name+"/device", func(t *testing.T) {
			_, e := dev.p.DeviceAuthorization(dev.ctx, &DeviceAuthorizationRequest{Client: dev.creds("tv"),
				Params: params("scope", tt.scope)})
			wantErr(t, e, CodeInvalidScope, http.StatusBadRequest)
		})
	}
}

// TestUnknownScopesStillDropped: a well-formed scope the host does not know keeps its treatment: dropped from an
// authorization, client credentials, password or device request (RFC 6749 §3.3 lets the server grant less and
// say so in scope), and invalid_scope when refreshing, since it was never granted (RFC 6749 §6).
func TestUnknownScopesStillDropped(t *testing.T) {
	authz, _ := newAuthzProvider(t)
	r, err := authz.ParseAuthorize(context.Background(), query("client_id=web&redirect_uri=https://app.example.com/cb"+
		"&response_type=code&code_challenge="+testChallenge+"&code_challenge_method=S256&scope=openid+no-such-scope"))
	if err != nil || JoinScope(r.Scopes) != "openid" {
		t.Fatalf("authorize: %v %v", r, err)
	}
	g := newGrantEnv(t, grantOpts{})
	svc := g.addClient("svc", "svc-secret", []string{GrantClientCredentials}, nil)
	pwc := g.addClient("pwc", "pwc-secret", []string{GrantPassword}, nil)
	if resp, e := g.token(svc, "grant_type", GrantClientCredentials, "scope", "api no-such-scope"); e != nil || resp.Scope != "api" {
		t.Fatalf("client credentials: %v %v", resp, e)
	}
	if resp, e := g.token(pwc, "grant_type", GrantPassword, "username", "bob", "password", "correct horse battery",
		"scope", "openid no-such-scope"); e != nil || resp.Scope != "openid" {
		t.Fatalf("password: %v %v", resp, e)
	}
	first := g.mustExchange("web", ScopeOpenID, ScopeOfflineAccess)
	_, e := g.refresh("web", first.RefreshToken, "scope", "openid no-such-scope")
	wantErr(t, e, CodeInvalidScope, http.StatusBadRequest)
	dev := newTokenEnv(t, withDevice)
	dev.startDevice("tv", "openid", "no-such-scope")
}

// TestUnknownAuthorizeValuesIgnored: OIDC Core §3.1.2.1 has the server ignore prompt values it does not know,
// and ui_locales and acr_values are hints it may not honour; none of them is an error, whatever it holds.
func TestUnknownAuthorizeValuesIgnored(t *testing.T) {
	p, _ := newAuthzProvider(t)
	base := "client_id=web&redirect_uri=https://app.example.com/cb&response_type=code&code_challenge=" + testChallenge +
		"&code_challenge_method=S256&scope=openid"
	odd := url.QueryEscape(`x-unknown "q" \ caf` + "\u00e9")
	for _, extra := range []string{"&prompt=create", "&prompt=" + odd, "&prompt=login+" + odd, "&ui_locales=" + odd,
		"&ui_locales=tlh-Latn+x-klingon", "&acr_values=" + odd, "&acr_values=urn:example:loa:9+phr"} {
		r, err := p.ParseAuthorize(context.Background(), query(base+extra))
		if err != nil {
			t.Fatalf("%s: %v", extra, err)
		}
		if JoinScope(r.Scopes) != "openid" {
			t.Fatalf("%s: scopes %q", extra, r.Scopes)
		}
	}
}
