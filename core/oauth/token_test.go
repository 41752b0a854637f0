package oauth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// TestTokenDispatch: the phases every grant shares, in order (RFC 6749 §3.2, §5.2).
func TestTokenDispatch(t *testing.T) {
	e := newTokenEnv(t)
	tests := []struct {
		name   string
		cr     ClientCredentials
		kv     []string
		code   string
		status int
	}{
		{"client authentication before grant_type", ClientCredentials{Authorization: basicHeader("web", "x")}, nil, CodeInvalidClient, http.StatusUnauthorized},
		{"missing grant_type", e.creds("web"), nil, CodeInvalidRequest, http.StatusBadRequest},
		{"unknown grant_type", e.creds("web"), []string{"grant_type", "magic"}, CodeUnsupportedGrantType, http.StatusBadRequest},
		{"not enabled on the host: password", e.creds("web"), []string{"grant_type", GrantPassword}, CodeUnsupportedGrantType, http.StatusBadRequest},
		{"not enabled on the host: device_code", e.creds("web"), []string{"grant_type", GrantDeviceCode}, CodeUnsupportedGrantType, http.StatusBadRequest},
		{"client not registered for refresh_token", e.creds("norefresh"), []string{"grant_type", GrantRefreshToken, "refresh_token", "rt_x"}, CodeUnauthorizedClient, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.token(tt.cr, tt.kv...)
			wantErr(t, err, tt.code, tt.status)
		})
	}
}

// TestNewRefusesGrantWithoutHandler: enabling a grant type that no Grant serves is a configuration error, found
// when the provider is built, never at the first request.
func TestNewRefusesGrantWithoutHandler(t *testing.T) {
	e := newTokenEnv(t)
	o := Options{Host: tkHost, Settings: e.p.Settings, Clients: e.p.Clients, Users: e.p.Users, Grants: e.p.Grants,
		Tokens: e.p.Tokens, Codes: e.p.Codes, DeviceCodes: e.p.DeviceCodes, Consents: e.p.Consents,
		Interactions: e.p.Interactions, Scopes: e.p.Scopes, Policy: e.p.Policy, ClientAuthLimits: roomyClientAuthLimits(nil)}
	o.Settings.GrantTypes = append(e.p.GrantTypes(), "urn:example:no-handler")
	if _, err := New(o); err == nil || !strings.Contains(err.Error(), "urn:example:no-handler") {
		t.Fatalf("New with a grant type without a handler: %v", err)
	}
	o.Settings.GrantTypes = e.p.GrantTypes()
	o.Users, o.Policy = nil, nil
	if _, err := New(o); err == nil || !strings.Contains(err.Error(), "[Policy Users]") {
		t.Fatalf("New without a user store and a policy: %v", err)
	}
	// RFC 6749 §2.3.1: a provider that would authenticate clients without throttling failures is refused.
	o.Users, o.Policy, o.ClientAuthLimits.PerIP = e.p.Users, e.p.Policy, nil
	if _, err := New(o); err == nil || !strings.Contains(err.Error(), "[ClientAuthLimits.PerIP]") {
		t.Fatalf("New without the per-address limiter of client authentication: %v", err)
	}
}

// TestTokenHostWithoutRefresh: a grant the client has but the host no longer serves is unsupported_grant_type.
func TestTokenHostWithoutRefresh(t *testing.T) {
	e := newTokenEnv(t, func(o *Options) { o.Settings.GrantTypes = []string{GrantAuthorizationCode} })
	_, err := e.refresh("web", "rt_x")
	wantErr(t, err, CodeUnsupportedGrantType, http.StatusBadRequest)
}

// TestTokenResponse: the members of RFC 6749 §5.1 and what is stored (only digests, docs/architecture.md §3).
func TestTokenResponse(t *testing.T) {
	e := newTokenEnv(t)
	resp := e.mustExchange("web", ScopeOpenID, "profile", ScopeOfflineAccess)
	if !strings.HasPrefix(resp.AccessToken, PrefixAccessToken) || len(resp.AccessToken) != 3+43 {
		t.Fatalf("access_token %q: want at_ + 256 bits base64url", resp.AccessToken)
	}
	if !strings.HasPrefix(resp.RefreshToken, PrefixRefreshToken) || len(resp.RefreshToken) != 3+43 {
		t.Fatalf("refresh_token %q", resp.RefreshToken)
	}
	if resp.TokenType != "Bearer" || resp.ExpiresIn != 3600 || resp.Scope != "openid profile offline_access" || resp.IDToken != "" {
		t.Fatalf("response %+v", resp)
	}
	at, rt := e.stored(resp.AccessToken), e.stored(resp.RefreshToken)
	if at.Kind != store.AccessToken || rt.Kind != store.RefreshToken || at.GrantID != rt.GrantID ||
		at.ClientID != "web" || at.UserID != e.alice.ID {
		t.Fatalf("stored %+v %+v", at, rt)
	}
	now := e.clock.Now()
	if !at.ExpiresAt.Equal(now.Add(time.Hour)) || !rt.ExpiresAt.Equal(now.Add(24*time.Hour)) || !at.IssuedAt.Equal(now) {
		t.Fatalf("lifetimes: at %v rt %v", at.ExpiresAt, rt.ExpiresAt)
	}
	// The grant now lives at least as long as its longest token, and at most a day longer (the store extends it in
	// the same write, and may round the expiry up).
	g, err := e.st.Grants().Get(e.ctx, tkHost, at.GrantID)
	if err != nil || g.ExpiresAt.Before(rt.ExpiresAt) || g.ExpiresAt.After(rt.ExpiresAt.Add(24*time.Hour)) {
		t.Fatalf("grant %+v %v, want it to expire from the refresh token's %v to a day later", g, err, rt.ExpiresAt)
	}
}

// TestRefreshTokenIssuance: a refresh token only with offline_access and the refresh_token grant on both the
// client and the host (as mod_http_oauth2).
func TestRefreshTokenIssuance(t *testing.T) {
	tests := []struct {
		name       string
		client     string
		scopes     []string
		hostGrants []string
		want       bool
	}{
		{"offline_access", "web", []string{ScopeOpenID, ScopeOfflineAccess}, nil, true},
		{"without offline_access", "web", []string{ScopeOpenID}, nil, false},
		{"client without the refresh grant", "norefresh", []string{ScopeOfflineAccess}, nil, false},
		{"host without the refresh grant", "web", []string{ScopeOfflineAccess}, []string{GrantAuthorizationCode}, false},
		{"public client", "spa", []string{ScopeOfflineAccess}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTokenEnv(t, func(o *Options) {
				if tt.hostGrants != nil {
					o.Settings.GrantTypes = tt.hostGrants
				}
			})
			resp := e.mustExchange(tt.client, tt.scopes...)
			if (resp.RefreshToken != "") != tt.want {
				t.Fatalf("refresh_token = %q, want one: %v", resp.RefreshToken, tt.want)
			}
			// RFC 6749 §5.1: scope lists what was issued; offline_access is the refresh token.
			if got := strings.Contains(resp.Scope, ScopeOfflineAccess); got != tt.want {
				t.Fatalf("scope %q with refresh token %v", resp.Scope, tt.want)
			}
			if at := e.stored(resp.AccessToken); slices.Contains(at.Scopes, ScopeOfflineAccess) != tt.want {
				t.Fatalf("stored access token scopes %v", at.Scopes)
			}
		})
	}
}

// fakeOIDC is an OIDC layer whose id_token is idToken's answer.
type fakeOIDC struct {
	idToken func(*IssuedTokens) (string, error)
}

func (f fakeOIDC) IDToken(_ context.Context, it *IssuedTokens) (string, error) { return f.idToken(it) }
func (fakeOIDC) Subject(u *store.User) string                                  { return "sub-" + u.ID }
func (fakeOIDC) SubjectCollides(id string) bool                                { return strings.HasPrefix(id, "sub-") }
func (fakeOIDC) HintSubject(context.Context, string) (string, error) {
	return "", errors.New("no hints here")
}

// TestOIDCSeam: the OIDC layer sees what is issued and its answer becomes id_token; a failing layer issues
// nothing (and the answer is a server_error that does not leak the cause).
func TestOIDCSeam(t *testing.T) {
	var got []*IssuedTokens
	fail := false
	e := newTokenEnv(t, func(o *Options) {
		o.OIDC = fakeOIDC{idToken: func(it *IssuedTokens) (string, error) {
			if fail {
				return "", errors.New("signing key unavailable")
			}
			got = append(got, it)
			return "eyJ.id.token", nil
		}}
	})
	resp := e.mustExchange("web")
	if resp.IDToken != "eyJ.id.token" || len(got) != 1 {
		t.Fatalf("id_token %q, hook calls %d", resp.IDToken, len(got))
	}
	it := got[0]
	if it.GrantType != GrantAuthorizationCode || it.Client.ID != "web" || it.User.ID != e.alice.ID ||
		it.Nonce != "n-0S6" || it.AccessToken != resp.AccessToken || it.AuthTime.IsZero() {
		t.Fatalf("issued %+v", it)
	}
	ref, err := e.refresh("web", resp.RefreshToken)
	if err != nil || ref.IDToken == "" || got[1].GrantType != GrantRefreshToken || got[1].Nonce != "" ||
		!got[1].AuthTime.Equal(it.AuthTime) {
		t.Fatalf("refresh: %v %+v", err, got[1])
	}
	fail = true
	code, _ := e.newCode(codeSpec{})
	_, err = e.exchange("web", code)
	wantErr(t, err, CodeServerError, http.StatusInternalServerError)
	if strings.Contains(err.Description, "signing") || !strings.Contains(err.Unwrap().Error(), "signing") {
		t.Fatalf("server_error %q / cause %v", err.Description, err.Unwrap())
	}
	_, err = e.refresh("web", ref.RefreshToken)
	wantErr(t, err, CodeServerError, http.StatusInternalServerError)
	// Nothing was rotated: the refresh token still works once the hook recovers.
	fail = false
	if _, err := e.refresh("web", ref.RefreshToken); err != nil {
		t.Fatalf("refresh after a failed hook: %v", err)
	}
}
