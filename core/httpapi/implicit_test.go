package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
)

// withImplicit makes the test host serve the implicit grant, and so its response type token, as adding implicit
// to grant_types does in the config.
var withImplicit = withGrantTypes(oauth.GrantAuthorizationCode, oauth.GrantRefreshToken, oauth.GrantImplicit)

// implicitQuery is an implicit authorization request of the SPA.
func implicitQuery(scope string) string {
	return "/oauth2/authorize?" + url.Values{"client_id": {"spa"}, "response_type": {"token"}, "state": {"st-9"},
		"redirect_uri": {"https://spa.example.com/cb"}, "scope": {scope}}.Encode()
}

// fragmentOf checks a 303 to the SPA and returns the parameters of its fragment; the query must stay empty.
func fragmentOf(t *testing.T, p page) url.Values {
	t.Helper()
	loc, err := url.Parse(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || err != nil || !strings.HasPrefix(loc.String(), "https://spa.example.com/cb#") ||
		loc.RawQuery != "" {
		t.Fatalf("expected a 303 to the SPA with a fragment, got %d %q", p.status, p.header.Get("Location"))
	}
	v, _ := url.ParseQuery(loc.Fragment)
	return v
}

// TestImplicitGrant: refused by default with unsupported_response_type in the fragment (RFC 6749 §4.2.2.1),
// and, once the host enables it, the whole flow through the real server: login, consent, then the access token
// in the fragment with token_type, expires_in, scope, state and iss; no refresh token, no code. The token works
// at userinfo. The metadata lists the grant, the response type and the fragment response mode only when on.
func TestImplicitGrant(t *testing.T) {
	spa := &store.Client{ID: "spa", Name: "SPA", RedirectURIs: []string{"https://spa.example.com/cb"},
		GrantTypes: []string{oauth.GrantImplicit}, TokenEndpointAuthMethod: oauth.AuthNone}
	t.Run("off by default", func(t *testing.T) {
		e := newEnv(t)
		c := *spa
		c.Host = e.host.ID
		if err := e.st.Clients().Create(context.Background(), &c); err != nil {
			t.Fatal(err)
		}
		f := fragmentOf(t, e.browser().get(implicitQuery("openid")))
		if f.Get("error") != "unsupported_response_type" || f.Get("state") != "st-9" || f.Get("iss") != e.base {
			t.Fatalf("fragment %v", f)
		}
		if p := e.browser().get("/.well-known/oauth-authorization-server"); strings.Contains(p.body, `"implicit"`) ||
			strings.Contains(p.body, `"fragment"`) {
			t.Fatalf("metadata of a host without the implicit grant: %s", p.body)
		}
	})
	t.Run("enabled", func(t *testing.T) {
		e := newEnv(t, withImplicit)
		c := *spa
		c.Host = e.host.ID
		if err := e.st.Clients().Create(context.Background(), &c); err != nil {
			t.Fatal(err)
		}
		e.addUser("alice", "correct horse battery")
		b := e.browser()
		consent := b.follow(b.loginAt(b.follow(b.get(implicitQuery("openid profile offline_access"))), "alice", "correct horse battery"))
		f := fragmentOf(t, b.consentAt(consent, "granted", "openid", "profile", "offline_access"))
		if !strings.HasPrefix(f.Get("access_token"), "at_") || f.Get("token_type") != "Bearer" || f.Get("expires_in") != "3600" ||
			f.Get("scope") != "openid profile" || f.Get("state") != "st-9" || f.Get("iss") != e.base ||
			f.Has("refresh_token") || f.Has("code") || f.Has("id_token") {
			t.Fatalf("fragment %v", f)
		}
		req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+f.Get("access_token"))
		if p := b.do(req); p.status != http.StatusOK || !strings.Contains(p.body, `"preferred_username":"alice"`) {
			t.Fatalf("userinfo with the implicit token: %d %s", p.status, p.body)
		}
		// A query response mode would put the token where servers log it: refused, in the fragment.
		if f := fragmentOf(t, b.get(implicitQuery("openid")+"&response_mode=query")); f.Get("error") != "invalid_request" {
			t.Fatalf("response_mode=query: %v", f)
		}
		p := b.get("/.well-known/oauth-authorization-server")
		for _, want := range []string{`"implicit"`, `"token"`, `"fragment"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("metadata lacks %s: %s", want, p.body)
			}
		}

		// A client registered with dpop_bound_access_tokens must never get a Bearer token (RFC 9449 §5.2): the
		// implicit grant, which has no token request to carry a proof, is refused, before any login.
		bound := *spa
		bound.ID, bound.Host, bound.DPoPBoundAccessTokens = "bound-spa", e.host.ID, true
		if err := e.st.Clients().Create(context.Background(), &bound); err != nil {
			t.Fatal(err)
		}
		q := strings.Replace(implicitQuery("openid"), "client_id=spa", "client_id=bound-spa", 1)
		f = fragmentOf(t, e.browser().get(q))
		if f.Get("error") != "unauthorized_client" || f.Has("access_token") || f.Get("state") != "st-9" {
			t.Fatalf("implicit for a DPoP-bound client: %v", f)
		}
	})
}
