package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

type fakeTokens struct {
	store.TokenStore
	tok *store.Token
	err error
}

func (f fakeTokens) Get(context.Context, string, string) (*store.Token, error) { return f.tok, f.err }

type fakeUsers struct {
	store.UserStore
	user *store.User
	err  error
}

func (f fakeUsers) Get(context.Context, string, string) (*store.User, error) { return f.user, f.err }

type fakeClients struct {
	client *store.Client
	err    error
}

func (f fakeClients) Get(context.Context, string) (*store.Client, error) { return f.client, f.err }

type fakePolicy struct {
	policy.Policy
	err error
}

func (f fakePolicy) Claims(context.Context, *policy.ClaimsInput) (*policy.ClaimsOutput, error) {
	return &policy.ClaimsOutput{Claims: map[string]any{"extra": "x"}}, f.err
}

// TestUserInfoErrors: RFC 6750 §3.1 for bad tokens, and a server failure (500, or 503 for a closed store) for
// a failing store or claims policy, whose cause is kept for the log: a good token is never blamed for them.
func TestUserInfoErrors(t *testing.T) {
	access := &store.Token{Kind: store.AccessToken, UserID: "u-1", ClientID: "rp", Scopes: []string{oauth.ScopeOpenID}}
	alice := &store.User{ID: "u-1", Username: "alice"}
	broken := errors.New("backend: disk on fire")
	closed := fmt.Errorf("tokens: %w", store.ErrClosed)
	tests := []struct {
		name    string
		token   string
		tokens  fakeTokens
		users   fakeUsers
		clients fakeClients
		policy  policy.Policy
		status  int
		code    string
		cause   error // errors.Is the error's cause
	}{
		{name: "ok", token: "at", tokens: fakeTokens{tok: access}, users: fakeUsers{user: alice}, status: http.StatusOK},
		{name: "ok with a claims policy", token: "at", tokens: fakeTokens{tok: access}, users: fakeUsers{user: alice},
			clients: fakeClients{client: &store.Client{ID: "rp"}}, policy: fakePolicy{}, status: http.StatusOK},
		{name: "no token", status: http.StatusUnauthorized},
		{name: "unknown token", token: "at", tokens: fakeTokens{err: store.ErrNotFound}, status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "revoked token", token: "at", tokens: fakeTokens{tok: access, err: store.ErrRevoked}, status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "used token", token: "at", tokens: fakeTokens{tok: access, err: store.ErrAlreadyUsed}, status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "refresh token", token: "rt", tokens: fakeTokens{tok: &store.Token{Kind: store.RefreshToken, Scopes: access.Scopes}},
			status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "token store fails", token: "at", tokens: fakeTokens{err: broken}, status: http.StatusInternalServerError,
			code: "server_error", cause: broken},
		{name: "token store closed", token: "at", tokens: fakeTokens{err: closed}, status: http.StatusServiceUnavailable,
			code: "temporarily_unavailable", cause: store.ErrClosed},
		{name: "no openid scope", token: "at", tokens: fakeTokens{tok: &store.Token{Kind: store.AccessToken, UserID: "u-1", Scopes: []string{"profile"}}},
			status: http.StatusForbidden, code: "insufficient_scope"},
		{name: "deleted user", token: "at", tokens: fakeTokens{tok: access}, users: fakeUsers{err: store.ErrNotFound},
			status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "disabled user", token: "at", tokens: fakeTokens{tok: access}, users: fakeUsers{user: &store.User{ID: "u-1", Disabled: true}},
			status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "user store fails", token: "at", tokens: fakeTokens{tok: access}, users: fakeUsers{err: broken},
			status: http.StatusInternalServerError, code: "server_error", cause: broken},
		{name: "unknown client", token: "at", tokens: fakeTokens{tok: access}, users: fakeUsers{user: alice},
			clients: fakeClients{err: oauth.ErrClientNotFound}, policy: fakePolicy{}, status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "client source fails", token: "at", tokens: fakeTokens{tok: access}, users: fakeUsers{user: alice},
			clients: fakeClients{err: broken}, policy: fakePolicy{}, status: http.StatusInternalServerError, code: "server_error", cause: broken},
		{name: "claims policy fails", token: "at", tokens: fakeTokens{tok: access}, users: fakeUsers{user: alice},
			clients: fakeClients{client: &store.Client{ID: "rp"}}, policy: fakePolicy{err: broken},
			status: http.StatusInternalServerError, code: "server_error", cause: broken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The claims hook always runs (the built-in policy at least), and it needs the token's client.
			pol, clients := tt.policy, tt.clients
			if pol == nil {
				pol = fakePolicy{}
			}
			if clients == (fakeClients{}) {
				clients = fakeClients{client: &store.Client{ID: "rp"}}
			}
			u := &UserInfo{Host: "h", Tokens: tt.tokens, Users: tt.users, Clients: clients, Policy: pol,
				Subjects: Subjects{Format: SubjectOpaque}}
			claims, err := u.Claims(context.Background(), tt.token)
			if tt.status == http.StatusOK {
				if err != nil || claims["sub"] != "u-1" || (tt.policy != nil && claims["extra"] != "x") {
					t.Fatalf("claims %v, %v", claims, err)
				}
				return
			}
			if err == nil || err.Status != tt.status || err.Code != tt.code {
				t.Fatalf("got %v (%+v), want %d %q", err, err, tt.status, tt.code)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Fatalf("cause %v, want %v", err.Unwrap(), tt.cause)
			}
			if ch := err.Challenge("id.example"); (err.Status < 500) != (ch != "") {
				t.Fatalf("challenge %q for a %d", ch, err.Status)
			}
		})
	}
}
