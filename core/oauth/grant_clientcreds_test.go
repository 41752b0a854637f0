package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// ccSecret is the secret of every confidential test client of these tests.
const ccSecret = "svc-secret"

// TestClientCredentialsRules: who may use the grant (RFC 6749 §4.4) and what it issues: scopes that stand for no
// user, never a refresh token or an id_token, a new grant without a user.
func TestClientCredentialsRules(t *testing.T) {
	cc := []string{GrantClientCredentials}
	tests := []struct {
		name       string
		hostGrants []string // default: all
		grants     []string // the client's; default cc
		scopes     []string // the client's registered scopes
		public     bool
		request    string // the scope parameter; "-" for none
		wantCode   string
		wantStatus int
		wantScope  string
	}{
		{name: "confidential client", request: "api", wantScope: "api"},
		{name: "several scopes, in request order, once each", request: "metrics api metrics", wantScope: "metrics api"},
		{name: "user scopes are never granted", request: "openid profile email offline_access xmpp user admin api",
			wantScope: "api"},
		{name: "unknown scopes are dropped", request: "api no-such-scope", wantScope: "api"},
		// RFC 6749 §3.3: fewer scopes than requested, said in scope, rather than invalid_scope.
		{name: "only user scopes: a token without scope", request: "openid xmpp", wantScope: ""},
		{name: "no scope parameter: the client's registered scopes", scopes: []string{"api", "metrics", "openid"},
			request: "-", wantScope: "api metrics"},
		{name: "no scope parameter and none registered", request: "-", wantScope: ""},
		{name: "registered scopes bound the request", scopes: []string{"api"}, request: "api metrics", wantScope: "api"},
		{name: "no refresh token even with offline_access and the refresh grant",
			grants: []string{GrantClientCredentials, GrantRefreshToken}, request: "api offline_access", wantScope: "api"},
		{name: "public client", public: true, request: "api",
			wantCode: CodeUnauthorizedClient, wantStatus: http.StatusBadRequest},
		{name: "client not registered for the grant", grants: []string{GrantAuthorizationCode}, request: "api",
			wantCode: CodeUnauthorizedClient, wantStatus: http.StatusBadRequest},
		{name: "host does not serve the grant", hostGrants: []string{GrantAuthorizationCode, GrantRefreshToken},
			request: "api", wantCode: CodeUnsupportedGrantType, wantStatus: http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idTokens := 0
			e := newGrantEnv(t, grantOpts{hostGrants: tt.hostGrants, oidc: fakeOIDC{idToken: func(*IssuedTokens) (string, error) {
				idTokens++
				return "eyJ.id.token", nil
			}}})
			grants := tt.grants
			if grants == nil {
				grants = cc
			}
			secret := ccSecret
			if tt.public {
				secret = ""
			}
			cr := e.addClient("svc", secret, grants, tt.scopes)
			kv := []string{"grant_type", GrantClientCredentials, "scope", tt.request}
			if tt.request == "-" {
				kv = kv[:2]
			}
			resp, err := e.token(cr, kv...)
			if tt.wantCode != "" {
				wantErr(t, err, tt.wantCode, tt.wantStatus)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Scope != tt.wantScope || resp.RefreshToken != "" || resp.IDToken != "" || idTokens != 0 ||
				resp.TokenType != TokenTypeBearer || resp.ExpiresIn != 3600 {
				t.Fatalf("response %+v (id_token hook called %d times)", resp, idTokens)
			}
			at := e.stored(resp.AccessToken)
			if at.UserID != "" || at.ClientID != "svc" || at.Kind != store.AccessToken || JoinScope(at.Scopes) != tt.wantScope {
				t.Fatalf("stored %+v", at)
			}
			g, gerr := e.st.Grants().Get(e.ctx, tkHost, at.GrantID)
			if gerr != nil || g.UserID != "" || g.ClientID != "svc" {
				t.Fatalf("grant %+v %v", g, gerr)
			}
			// scope_policy ran once, with flow client_credentials and no user; map_roles did not run.
			mapRoles, in := e.policy.last(t)
			if mapRoles != 0 || in.Flow != policy.FlowClientCredentials || in.User != nil || in.Client.ClientID != "svc" {
				t.Fatalf("map_roles ran %d times; scope_policy saw %+v", mapRoles, in)
			}
		})
	}
}

// TestClientCredentialsSubjectCollision: RFC 9700 §4.15. A client that acts for itself has its client_id as sub,
// so a client_id that could be a user's sub is refused, with a log line for the operator: without the OIDC
// layer (sub is the user id) an id-shaped client_id, and with it whatever the layer says for its format.
func TestClientCredentialsSubjectCollision(t *testing.T) {
	tests := []struct {
		name    string
		oidc    OIDC
		id      string
		refused bool
	}{
		{"opaque: a user id", nil, "0123456789abcdef0123456789abcdef", true},
		{"opaque: a user id in capitals", nil, "0123456789ABCDEF0123456789ABCDEF", true},
		{"opaque: longer hex", nil, "0123456789abcdef0123456789abcdef01234567", false},
		{"opaque: 32 characters, not hex", nil, "0123456789abcdef0123456789abcdeg", false},
		{"opaque: an xmpp-like id", nil, "xmpp:bot@example.org", false},
		{"OIDC layer: its rule", fakeOIDC{}, "sub-bot", true},
		{"OIDC layer: not the opaque rule", fakeOIDC{}, "0123456789abcdef0123456789abcdef", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newGrantEnv(t, grantOpts{oidc: tt.oidc})
			cr := e.addClient(tt.id, ccSecret, []string{GrantClientCredentials}, nil)
			resp, err := e.token(cr, "grant_type", GrantClientCredentials, "scope", "api")
			logged := strings.Contains(e.logs.String(), "client_credentials refused")
			if !tt.refused {
				if err != nil || resp.Scope != "api" || logged {
					t.Fatalf("refused: %v (logged: %v)", err, logged)
				}
				return
			}
			wantErr(t, err, CodeUnauthorizedClient, http.StatusBadRequest)
			if !strings.Contains(err.Description, "subject") || !logged ||
				!strings.Contains(e.logs.String(), "client_id="+tt.id) {
				t.Fatalf("description %q; log:\n%s", err.Description, e.logs)
			}
		})
	}
}

// TestClientCredentialsIntrospection: the token's sub is the client_id, marked sub_type client, without a
// username; a user's token has no sub_type.
func TestClientCredentialsIntrospection(t *testing.T) {
	e := newGrantEnv(t, grantOpts{})
	cr := e.addClient("svc", ccSecret, []string{GrantClientCredentials}, nil)
	resp, err := e.token(cr, "grant_type", GrantClientCredentials, "scope", "api")
	if err != nil {
		t.Fatal(err)
	}
	for _, by := range []string{"svc", "rs"} {
		got, err := e.p.Introspect(e.ctx, &IntrospectionRequest{Params: params("token", resp.AccessToken), Client: map[string]ClientCredentials{
			"svc": cr, "rs": e.creds("rs")}[by]})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(got)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		if !got.Active || got.Sub != "svc" || got.SubType != SubTypeClient || m["sub_type"] != "client" ||
			got.ClientID != "svc" || got.Scope != "api" || got.TokenType != TokenTypeBearer {
			t.Fatalf("introspected by %s: %s", by, b)
		}
		if _, ok := m["username"]; ok {
			t.Fatalf("introspected by %s: a username: %s", by, b)
		}
	}
	user := e.mustExchange("web")
	got, err := e.introspect("web", user.AccessToken)
	if err != nil || got.SubType != "" || got.Sub != e.alice.ID {
		t.Fatalf("a user's token: %+v %v", got, err)
	}
	// Revoked, it is inactive like any other token.
	if err := e.p.Revoke(e.ctx, &RevocationRequest{Params: params("token", resp.AccessToken), Client: cr}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.introspect("rs", resp.AccessToken); err != nil || got.Active {
		t.Fatalf("after revocation: %+v %v", got, err)
	}
}

// TestClientCredentialsStoreFailure: a store that fails the one write issues nothing and answers server_error.
func TestClientCredentialsStoreFailure(t *testing.T) {
	e := newGrantEnv(t, grantOpts{})
	cr := e.addClient("svc", ccSecret, []string{GrantClientCredentials}, nil)
	e.p.Grants = failingGrants{GrantStore: e.p.Grants}
	_, err := e.token(cr, "grant_type", GrantClientCredentials, "scope", "api")
	wantErr(t, err, CodeServerError, http.StatusInternalServerError)
}

// failingGrants fails every grant creation.
type failingGrants struct{ store.GrantStore }

func (failingGrants) Create(context.Context, *store.Grant, ...*store.Token) error {
	return errors.New("disk full")
}
