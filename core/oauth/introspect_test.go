package oauth

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

func (e *tokenEnv) introspect(client, token string) (*IntrospectionResponse, *Error) {
	return e.p.Introspect(e.ctx, &IntrospectionRequest{Params: params("token", token), Client: e.creds(client)})
}

// TestIntrospectActive: every member of RFC 7662 §2.2 for an active access and refresh token.
func TestIntrospectActive(t *testing.T) {
	e := newTokenEnv(t)
	issued := e.clock.Now()
	resp := e.mustExchange("web", ScopeOpenID, "profile", ScopeOfflineAccess)
	e.clock.Advance(time.Minute)

	got, err := e.introspect("web", resp.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	want := IntrospectionResponse{Active: true, Scope: "openid profile offline_access", ClientID: "web",
		Username: "alice", TokenType: "Bearer", Exp: issued.Add(time.Hour).Unix(), Iat: issued.Unix(),
		Sub: e.alice.ID, Aud: Audience{"web"}, Iss: "https://id.example.org", Jti: Digest(resp.AccessToken)}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("access token:\n got %+v\nwant %+v", *got, want)
	}

	got, err = e.introspect("web", resp.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	want.TokenType, want.Exp, want.Jti = "", issued.Add(24*time.Hour).Unix(), Digest(resp.RefreshToken)
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("refresh token:\n got %+v\nwant %+v", *got, want)
	}
	b, _ := json.Marshal(got)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if _, ok := m["token_type"]; ok {
		t.Fatalf("refresh token introspection has token_type: %s", b)
	}
}

// TestIntrospectInactive: each way a token is inactive answers only {"active": false}.
func TestIntrospectInactive(t *testing.T) {
	tests := []struct {
		name   string
		client string // the introspecting client; default web
		token  func(e *tokenEnv, r *TokenResponse) string
		setup  func(e *tokenEnv, r *TokenResponse)
	}{
		{name: "unknown", token: func(*tokenEnv, *TokenResponse) string { return PrefixAccessToken + "nope" }},
		{name: "expired", setup: func(e *tokenEnv, _ *TokenResponse) { e.clock.Advance(time.Hour) }},
		{name: "revoked access token", setup: func(e *tokenEnv, r *TokenResponse) {
			if err := e.p.Revoke(e.ctx, &RevocationRequest{Params: params("token", r.AccessToken), Client: e.creds("web")}); err != nil {
				e.t.Fatal(err)
			}
		}},
		{name: "rotated refresh token", token: func(_ *tokenEnv, r *TokenResponse) string { return r.RefreshToken },
			setup: func(e *tokenEnv, r *TokenResponse) {
				if _, err := e.refresh("web", r.RefreshToken); err != nil {
					e.t.Fatal(err)
				}
			}},
		{name: "refresh token of a revoked grant", token: func(_ *tokenEnv, r *TokenResponse) string { return r.RefreshToken },
			setup: func(e *tokenEnv, r *TokenResponse) {
				if err := e.st.Grants().Revoke(e.ctx, tkHost, e.stored(r.AccessToken).GrantID); err != nil {
					e.t.Fatal(err)
				}
			}},
		{name: "another client's token without permission", client: "other"},
		{name: "disabled user", setup: func(e *tokenEnv, _ *TokenResponse) {
			u := *e.alice
			u.Disabled = true
			if err := e.st.Users().Update(e.ctx, &u, store.UserUpdate{}); err != nil {
				e.t.Fatal(err)
			}
		}},
		{name: "deleted user", setup: func(e *tokenEnv, _ *TokenResponse) {
			if err := e.st.Users().Delete(e.ctx, tkHost, e.alice.ID); err != nil {
				e.t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTokenEnv(t)
			r := e.mustExchange("web")
			before, err := e.introspect("web", r.AccessToken)
			if err != nil || !before.Active {
				t.Fatalf("active before: %+v %v", before, err)
			}
			if tt.setup != nil {
				tt.setup(e, r)
			}
			token := r.AccessToken
			if tt.token != nil {
				token = tt.token(e, r)
			}
			client := tt.client
			if client == "" {
				client = "web"
			}
			got, err := e.introspect(client, token)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := json.Marshal(got); string(b) != `{"active":false}` {
				t.Fatalf("got %s", b)
			}
		})
	}
}

// TestIntrospectPermission: a client with the introspect permission (a resource server) sees any token of the
// host; public clients may not introspect at all; token is required.
func TestIntrospectPermission(t *testing.T) {
	e := newTokenEnv(t)
	r := e.mustExchange("web")
	got, err := e.introspect("rs", r.AccessToken)
	if err != nil || !got.Active || got.ClientID != "web" || !slices.Equal(got.Aud, Audience{"web"}) {
		t.Fatalf("resource server: %+v %v", got, err)
	}
	pub := e.mustExchange("spa")
	_, err = e.introspect("spa", pub.AccessToken)
	wantErr(t, err, CodeInvalidClient, http.StatusUnauthorized)
	_, err = e.introspect("web", "")
	wantErr(t, err, CodeInvalidRequest, http.StatusBadRequest)
	_, err = e.p.Introspect(e.ctx, &IntrospectionRequest{Params: params("token", r.AccessToken), Client: ClientCredentials{Authorization: basicHeader("web", "x")}})
	wantErr(t, err, CodeInvalidClient, http.StatusUnauthorized)
	if !err.BasicTried() {
		t.Fatal("a failed Basic authentication at introspection asks for no challenge")
	}
}

// TestIntrospectCurrentRoles: the scope shown is what the user may hold now.
func TestIntrospectCurrentRoles(t *testing.T) {
	e := newTokenEnv(t)
	r := e.mustExchange("web", ScopeOpenID, "admin")
	u := *e.alice
	u.Roles = []string{"user"}
	if err := e.st.Users().Update(e.ctx, &u, store.UserUpdate{}); err != nil {
		t.Fatal(err)
	}
	got, err := e.introspect("web", r.AccessToken)
	if err != nil || !got.Active || got.Scope != ScopeOpenID {
		t.Fatalf("%+v %v", got, err)
	}
}
