package oidc

import (
	"context"
	"github.com/assentry/assentry/policy"
	"net/http"
	"slices"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
)

// BearerError is an RFC 6750 §3 error of a protected resource. Code is empty when the request carried no
// token at all (then the challenge has no error attribute, §3.1).
type BearerError struct {
	Status      int
	Code        string
	Description string
}

func (e *BearerError) Error() string { return e.Code + ": " + e.Description }

// Bearer error constructors (RFC 6750 §3.1).
func noToken() *BearerError { return &BearerError{Status: http.StatusUnauthorized} }

func invalidToken(desc string) *BearerError {
	return &BearerError{Status: http.StatusUnauthorized, Code: "invalid_token", Description: desc}
}

func insufficientScope(desc string) *BearerError {
	return &BearerError{Status: http.StatusForbidden, Code: "insufficient_scope", Description: desc}
}

// InvalidRequest is the 400 of a malformed request (a token both in the header and the body, §2).
func InvalidRequest(desc string) *BearerError {
	return &BearerError{Status: http.StatusBadRequest, Code: "invalid_request", Description: desc}
}

// UserInfo answers the UserInfo endpoint (OIDC Core §5.3) of one host.
type UserInfo struct {
	Host     string
	Tokens   store.TokenStore
	Users    store.UserStore
	Clients  oauth.ClientSource
	Subjects Subjects
	Policy   policy.Policy // the host's policy chain, for the claims hook (required)
}

// Claims returns the userinfo answer for an access token: sub always, plus what the token's scopes release.
// Refresh tokens, inactive tokens, a disabled or deleted user's tokens and those of a client no longer known
// (the claims hook needs it) are invalid_token; a token without openid is insufficient_scope.
func (u *UserInfo) Claims(ctx context.Context, accessToken string) (map[string]any, *BearerError) {
	if accessToken == "" {
		return nil, noToken()
	}
	tok, err := u.Tokens.Get(ctx, u.Host, oauth.Digest(accessToken))
	if err != nil || tok.Kind != store.AccessToken {
		return nil, invalidToken("the access token is invalid, expired or revoked")
	}
	if !slices.Contains(tok.Scopes, oauth.ScopeOpenID) {
		return nil, insufficientScope("the access token was not granted the openid scope")
	}
	user, err := u.Users.Get(ctx, u.Host, tok.UserID)
	if err != nil || user.Disabled {
		return nil, invalidToken("the access token's user is not active")
	}
	out := UserClaims(user, tok.Scopes)
	sub := u.Subjects.Of(user)
	client, err := u.Clients.Get(ctx, tok.ClientID)
	if err != nil {
		return nil, invalidToken("the access token's client is not active")
	}
	extra, err := policyClaims(ctx, u.Policy, sub, user, client, tok.Scopes, policy.TargetUserinfo)
	if err != nil {
		return nil, &BearerError{Status: http.StatusInternalServerError, Code: "server_error", Description: "a claims policy failed"}
	}
	merge(out, extra)
	out["sub"] = sub
	return out, nil
}
