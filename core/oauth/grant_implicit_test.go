package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// newImplicitProvider is a provider whose host serves the implicit grant (or not), with a public SPA registered
// for it and a web client that is not.
func newImplicitProvider(t *testing.T, on bool) (*Provider, store.Store) {
	return implicitProvider(t, on)
}

// newImplicitProviderTB is newImplicitProvider, serving the grant, for benchmarks.
func newImplicitProviderTB(b *testing.B) (*Provider, store.Store) { return implicitProvider(b, true) }

func implicitProvider(t testing.TB, on bool) (*Provider, store.Store) {
	t.Helper()
	st := badgertest.New(t, nil)
	grants := []string{GrantAuthorizationCode, GrantRefreshToken}
	responses := []string{ResponseTypeCode}
	if on {
		grants, responses = append(grants, GrantImplicit), append(responses, ResponseTypeToken)
	}
	ctx := context.Background()
	for _, c := range []*store.Client{
		{ID: "spa", Host: "h", Name: "SPA", RedirectURIs: []string{"https://spa.example.com/cb", OOBRedirect},
			GrantTypes: []string{GrantImplicit}, TokenEndpointAuthMethod: AuthNone},
		{ID: "web", Host: "h", Name: "Web", RedirectURIs: []string{"https://web.example.com/cb"},
			GrantTypes: []string{GrantAuthorizationCode}, TokenEndpointAuthMethod: AuthClientSecretBasic, SecretHash: Digest("s")},
	} {
		if err := st.Clients().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	scopes := NewCatalogue([]string{"user"}, nil)
	p, err := New(Options{Host: "h", Settings: Settings{Issuer: "https://auth.example.com", GrantTypes: grants,
		ResponseTypes: responses, RequireCodeChallenge: true, CodeChallengeMethods: []string{PKCES256}, CodeTTL: time.Minute},
		Clients: NewClients("h", st.Clients(), grants, nil), Users: st.Users(), Grants: st.Grants(), Tokens: st.Tokens(),
		Codes: st.Codes(), DeviceCodes: st.DeviceCodes(), Consents: st.Consents(), Interactions: st.Interactions(),
		Scopes: scopes, Policy: builtinChain(t, "h", scopes, nil), ClientAuthLimits: roomyClientAuthLimits(nil)})
	if err != nil {
		t.Fatal(err)
	}
	return p, st
}

// TestImplicitRules: response_type=token needs the host to serve the implicit grant and the client to be
// registered for it; its errors go in the fragment (RFC 6749 §4.2.2.1) with state and iss; the token never goes
// in a query (response_mode=query refused) nor to the out-of-band redirect; PKCE does not apply.
func TestImplicitRules(t *testing.T) {
	off, _ := newImplicitProvider(t, false)
	on, _ := newImplicitProvider(t, true)
	spa := "client_id=spa&redirect_uri=https://spa.example.com/cb&response_type=token&state=xyz&scope=openid"
	tests := []struct {
		name string
		p    *Provider
		q    string
		code string // "" = accepted
	}{
		{"off by default", off, spa, CodeUnsupportedResponseType},
		{"served, registered client", on, spa, ""},
		{"client not registered for it", on, strings.NewReplacer("client_id=spa", "client_id=web", "spa.example.com", "web.example.com").Replace(spa), CodeUnauthorizedClient},
		{"response_mode=query refused", on, spa + "&response_mode=query", CodeInvalidRequest},
		{"response_mode=fragment accepted", on, spa + "&response_mode=fragment", ""},
		{"no PKCE needed", on, spa, ""},
		{"out-of-band redirect refused", on, strings.Replace(spa, "https://spa.example.com/cb", OOBRedirect, 1), CodeInvalidRequest},
		{"code for a client registered only for implicit", on, strings.Replace(spa, "response_type=token", "response_type=code", 1), CodeUnauthorizedClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.p.ParseAuthorize(context.Background(), query(tt.q))
			if tt.code == "" {
				if err != nil || r.ResponseType != ResponseTypeToken || r.CodeChallenge != "" {
					t.Fatalf("%+v %v", r, err)
				}
				return
			}
			var re *RedirectError
			if !errors.As(err, &re) || re.Err.Code != tt.code {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
			loc, perr := url.Parse(tt.p.ErrorLocation(re))
			if perr != nil {
				t.Fatal(perr)
			}
			switch {
			case strings.Contains(tt.q, "response_type=code"):
				// A code request's errors stay in the query.
				if loc.Query().Get("error") != tt.code || loc.Fragment != "" {
					t.Fatalf("error location %s: want the error in the query", loc)
				}
			case re.RedirectURI != OOBRedirect:
				frag, _ := url.ParseQuery(loc.Fragment)
				if loc.RawQuery != "" || frag.Get("error") != tt.code || frag.Get("state") != "xyz" ||
					frag.Get("iss") != "https://auth.example.com" {
					t.Fatalf("error location %s: want the error, state and iss in the fragment", loc)
				}
			}
		})
	}
}

// TestImplicitIssuance: an approved implicit authorization ends in the redirect URI with an access token in the
// fragment: token_type, expires_in, scope (never offline_access: there is no refresh token), state and iss; the
// token is stored with a new grant in one write and is live; no refresh token exists.
func TestImplicitIssuance(t *testing.T) {
	p, st := newImplicitProvider(t, true)
	ctx := context.Background()
	u := &store.User{ID: "u-1", Host: "h", Username: "alice", Roles: []string{"user"}}
	if err := st.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	r, err := p.ParseAuthorize(ctx, query("client_id=spa&redirect_uri=https://spa.example.com/cb&response_type=token&state=xyz&scope=openid+offline_access+user"))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := p.StartInteraction(ctx, r, "browser")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.LoggedIn(ctx, ix, u.ID); err != nil {
		t.Fatal(err)
	}
	step, err := p.Advance(ctx, ix, nil)
	if err != nil || step.Kind != StepConsent {
		t.Fatalf("advance: %+v %v", step, err)
	}
	done, err := p.Decide(ctx, ix, true, step.Offered)
	if err != nil || done.Kind != StepDone {
		t.Fatalf("decide: %+v %v", done, err)
	}
	loc, _ := url.Parse(done.Location)
	frag, _ := url.ParseQuery(loc.Fragment)
	if loc.RawQuery != "" || !strings.HasPrefix(done.Location, "https://spa.example.com/cb#") {
		t.Fatalf("location %s: the token goes in the fragment only", done.Location)
	}
	if !strings.HasPrefix(frag.Get("access_token"), PrefixAccessToken) || frag.Get("token_type") != "Bearer" ||
		frag.Get("expires_in") != "3600" || frag.Get("scope") != "openid user" || frag.Get("state") != "xyz" ||
		frag.Get("iss") != "https://auth.example.com" || frag.Has("refresh_token") || frag.Has("id_token") || frag.Has("code") {
		t.Fatalf("fragment %v", frag)
	}
	tok, err := st.Tokens().Get(ctx, "h", Digest(frag.Get("access_token")))
	if err != nil || tok.UserID != u.ID || tok.ClientID != "spa" {
		t.Fatalf("stored token %+v %v", tok, err)
	}
	g, err := st.Grants().Get(ctx, "h", tok.GrantID)
	if err != nil || g.UserID != u.ID || !g.ExpiresAt.Equal(tok.ExpiresAt) {
		t.Fatalf("grant %+v %v", g, err)
	}
	// A denial is redirected in the fragment too.
	ix2, _ := p.StartInteraction(ctx, r, "browser")
	_ = p.LoggedIn(ctx, ix2, u.ID)
	_, err = p.Decide(ctx, ix2, false, nil)
	var re *RedirectError
	if !errors.As(err, &re) || !strings.Contains(p.ErrorLocation(re), "#error=access_denied") {
		t.Fatalf("denial: %v", err)
	}
	// grant_type=implicit at the token endpoint is not a thing.
	_, terr := p.Token(ctx, &TokenRequest{Params: params("grant_type", GrantImplicit), Client: ClientCredentials{ID: "spa"}})
	wantErr(t, terr, CodeUnsupportedGrantType, http.StatusBadRequest)
}

// flowRecorder records the flow of every scope_policy call.
type flowRecorder struct {
	policy.Policy
	flows []string
}

func (f *flowRecorder) ScopePolicy(ctx context.Context, in *policy.ScopePolicyInput) (*policy.ScopePolicyOutput, error) {
	f.flows = append(f.flows, in.Flow)
	return f.Policy.ScopePolicy(ctx, in)
}

// TestInteractionFlows: scope_policy sees the flow the tokens will be issued in at the consent step too: implicit
// for response_type=token, device_code for a device verification, authorization_code otherwise.
func TestInteractionFlows(t *testing.T) {
	tests := []struct {
		ix   store.Interaction
		want string
	}{
		{store.Interaction{ResponseType: ResponseTypeCode}, policy.FlowAuthorizationCode},
		{store.Interaction{ResponseType: ResponseTypeToken}, policy.FlowImplicit},
		{store.Interaction{DeviceCodeID: "d"}, policy.FlowDeviceCode},
	}
	for _, tt := range tests {
		if got := interactionFlow(&tt.ix); got != tt.want {
			t.Errorf("interactionFlow(%+v) = %s, want %s", tt.ix, got, tt.want)
		}
	}
	// Through Advance: the consent step of an implicit request asks scope_policy with flow implicit.
	p, st := newImplicitProvider(t, true)
	rec := &flowRecorder{Policy: p.Policy}
	p.Policy = rec
	ctx := context.Background()
	if err := st.Users().Create(ctx, &store.User{ID: "u-1", Host: "h", Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	r, err := p.ParseAuthorize(ctx, query("client_id=spa&redirect_uri=https://spa.example.com/cb&response_type=token&scope=openid"))
	if err != nil {
		t.Fatal(err)
	}
	ix, _ := p.StartInteraction(ctx, r, "b")
	_ = p.LoggedIn(ctx, ix, "u-1")
	if _, err := p.Advance(ctx, ix, nil); err != nil {
		t.Fatal(err)
	}
	if len(rec.flows) != 1 || rec.flows[0] != policy.FlowImplicit {
		t.Fatalf("scope_policy flows %v, want [implicit]", rec.flows)
	}
}
