package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
)

// magicGrant is a grant type that exists only in this test file: a made-up "magic word" grant that issues the
// named user's tokens to a client that knows the word. It proves the grant seam: registering it is all it takes
// for the real server to serve it end to end (dispatch, client authentication, the scope chain, the store write,
// introspection, userinfo, metadata), with no change to the token endpoint.
type magicGrant struct{}

const grantMagic = "urn:example:params:oauth:grant-type:magic-word"

func (magicGrant) Type() string { return grantMagic }

func (magicGrant) Token(ctx context.Context, p *oauth.Provider, r *oauth.GrantRequest) (*oauth.TokenResponse, *oauth.Error) {
	if r.Params["word"] != "please" {
		return nil, oauth.InvalidGrant("that is not the magic word")
	}
	u, err := p.Users.GetByUsername(ctx, p.Host, r.Params["username"])
	if err != nil {
		return nil, oauth.InvalidGrant("no such user")
	}
	requested, e := oauth.ParseScope(r.Params["scope"])
	if e != nil {
		return nil, e
	}
	return p.Issue(ctx, &oauth.Issuance{GrantType: grantMagic, Flow: "magic_word", Client: r.Client, UserID: u.ID,
		Requested: requested})
}

// withMagic registers the magic grant with the builder and enables it on the host.
func withMagic(s *envSetup) {
	s.build.Grants = append(s.build.Grants, magicGrant{})
	s.resolved = func(h *config.HostSettings) { h.GrantTypes = append(h.GrantTypes, grantMagic) }
}

func TestGrantSeam(t *testing.T) {
	e := newEnv(t, withMagic)
	e.addUser("alice", "correct horse battery")
	err := e.st.Clients().Create(context.Background(), &store.Client{ID: "wizard", Host: e.host.ID, Name: "Wizard",
		GrantTypes: []string{grantMagic}, TokenEndpointAuthMethod: oauth.AuthClientSecretBasic, SecretHash: oauth.Digest("w-secret")})
	if err != nil {
		t.Fatal(err)
	}
	token := func(kv url.Values, id, secret string) (page, map[string]any) {
		kv.Set("grant_type", grantMagic)
		return e.tokenCall("/oauth2/token", kv, tkBasic(id, secret))
	}
	p, m := token(url.Values{"word": {"please"}, "username": {"alice"}, "scope": {"openid profile"}}, "wizard", "w-secret")
	if p.status != http.StatusOK || !strings.HasPrefix(m["access_token"].(string), "at_") || m["scope"] != "openid profile" ||
		p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("magic grant: %d %s", p.status, p.body)
	}
	// The token is an ordinary one: userinfo names alice.
	req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+m["access_token"].(string))
	if u := e.browser().do(req); u.status != http.StatusOK || !strings.Contains(u.body, `"preferred_username":"alice"`) {
		t.Fatalf("userinfo: %d %s", u.status, u.body)
	}
	// The shared phases run before it: client authentication, and the client's registration for the grant.
	if p, m := token(url.Values{"word": {"please"}, "username": {"alice"}}, "wizard", "wrong"); p.status != http.StatusUnauthorized || m["error"] != "invalid_client" {
		t.Fatalf("wrong secret: %d %s", p.status, p.body)
	}
	if p, m := token(url.Values{"word": {"abracadabra"}, "username": {"alice"}}, "wizard", "w-secret"); m["error"] != "invalid_grant" {
		t.Fatalf("wrong word: %d %s", p.status, p.body)
	}
	var md struct {
		GrantTypes []string `json:"grant_types_supported"`
	}
	_ = json.Unmarshal([]byte(e.browser().get("/.well-known/openid-configuration").body), &md)
	if !slices.Contains(md.GrantTypes, grantMagic) {
		t.Fatalf("discovery does not list the grant: %v", md.GrantTypes)
	}
	// A host that does not register it does not serve it.
	plain := newEnv(t)
	err = plain.st.Clients().Create(context.Background(), &store.Client{ID: "wizard", Host: plain.host.ID, Name: "Wizard",
		GrantTypes: []string{grantMagic}, TokenEndpointAuthMethod: oauth.AuthClientSecretBasic, SecretHash: oauth.Digest("w-secret")})
	if err != nil {
		t.Fatal(err)
	}
	if p, m := plain.tokenCall("/oauth2/token", url.Values{"grant_type": {grantMagic}, "word": {"please"}}, tkBasic("wizard", "w-secret")); m["error"] != "unsupported_grant_type" {
		t.Fatalf("host without the grant: %d %s", p.status, p.body)
	}
}
