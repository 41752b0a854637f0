package oidc

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// UserinfoPath is the path of the UserInfo endpoint under the issuer.
const UserinfoPath = "/oauth2/userinfo"

// UserInfo answers the UserInfo endpoint (OIDC Core §5.3) of one host.
type UserInfo struct {
	Host string
	// Issuer is the host's issuer: a token for a resource (RFC 8707) is accepted only when the issuer or the
	// userinfo endpoint is among its resources (forIssuer).
	Issuer   string
	Tokens   store.TokenStore
	Users    store.UserStore
	Clients  oauth.ClientSource
	Subjects Subjects
	Policy   policy.Policy // the host's policy chain, for the claims hook (required)
	// DPoP checks the proofs that come with DPoP-bound tokens (RFC 9449 §7); nil: DPoP is off.
	DPoP *dpop.Checker
}

// Claims returns the userinfo answer for an access token: sub always, plus what the token's scopes release.
// Errors follow RFC 6750 §3.1: no token is oauth.MissingToken; refresh tokens, inactive tokens, tokens without a
// user (client credentials), tokens issued for other resources (forIssuer), a disabled or deleted user's tokens
// and those of a client no longer known (the claims hook needs it) are invalid_token; a token without openid is
// insufficient_scope. A failing store or claims policy is a server failure (oauth.ServerError), never
// invalid_token: the token may be perfectly good.
func (u *UserInfo) Claims(ctx context.Context, accessToken string) (map[string]any, *oauth.Error) {
	out, _, e := u.ClaimsPresented(ctx, accessToken, oauth.Presented{Scheme: oauth.SchemeBearer})
	return out, e
}

// ClaimsPresented is Claims for a token presented as pr says: a DPoP-bound token is accepted only under the DPoP
// scheme with a valid proof by its key (RFC 9449 §7, oauth.CheckPresented), and every refusal under the DPoP
// scheme comes with a DPoP challenge. It also returns the DPoP nonce to announce with the answer ("" for none).
func (u *UserInfo) ClaimsPresented(ctx context.Context, accessToken string, pr oauth.Presented) (map[string]any, string, *oauth.Error) {
	out, nonce, e := u.claims(ctx, accessToken, pr)
	if e != nil && pr.Scheme == oauth.SchemeDPoP {
		e = oauth.DPoPResourceError(e)
	}
	return out, nonce, e
}

func (u *UserInfo) claims(ctx context.Context, accessToken string, pr oauth.Presented) (map[string]any, string, *oauth.Error) {
	if accessToken == "" {
		if u.DPoP != nil {
			return nil, "", oauth.MissingTokenDPoP()
		}
		return nil, "", oauth.MissingToken()
	}
	tok, err := u.Tokens.Get(ctx, u.Host, oauth.Digest(accessToken))
	switch {
	case deadToken(err) || (err == nil && tok.Kind != store.AccessToken):
		return nil, "", oauth.InvalidToken("the access token is invalid, expired or revoked")
	case err != nil:
		return nil, "", oauth.ServerError(err)
	}
	nonce, e := oauth.CheckPresented(ctx, u.DPoP, tok, accessToken, pr)
	if e != nil {
		return nil, "", e
	}
	// A client's own token (client credentials) has no user to describe: its sub is a client_id.
	if tok.UserID == "" {
		return nil, "", oauth.InvalidToken("the access token was not issued for a user")
	}
	if !u.forIssuer(tok.Audience) {
		return nil, "", oauth.InvalidToken("the access token was issued for another resource")
	}
	if !slices.Contains(tok.Scopes, oauth.ScopeOpenID) {
		return nil, "", oauth.InsufficientScope("the access token was not granted the openid scope")
	}
	user, err := u.Users.Get(ctx, u.Host, tok.UserID)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && user.Disabled):
		return nil, "", oauth.InvalidToken("the access token's user is not active")
	case err != nil:
		return nil, "", oauth.ServerError(err)
	}
	out := UserClaims(user, tok.Scopes)
	sub := u.Subjects.Of(user)
	client, err := u.Clients.Get(ctx, tok.ClientID)
	switch {
	case errors.Is(err, oauth.ErrClientNotFound) || errors.Is(err, store.ErrNotFound):
		return nil, "", oauth.InvalidToken("the access token's client is not active")
	case err != nil:
		return nil, "", oauth.ServerError(err)
	}
	extra, err := policyClaims(ctx, u.Policy, sub, user, client, tok.Scopes, policy.TargetUserinfo)
	if err != nil {
		return nil, "", oauth.ServerError(err)
	}
	merge(out, extra)
	out["sub"] = sub
	return out, nonce, nil
}

// deadToken reports whether a token lookup failed because the token is not usable (unknown, expired, revoked,
// or a rotated refresh token), as opposed to the store failing.
func deadToken(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrRevoked) || errors.Is(err, store.ErrAlreadyUsed)
}

// forIssuer reports whether an access token of this audience may be used here. A token issued without resource
// (no audience) is the client's to use at userinfo, as always; one issued for resources (RFC 8707 §2) is for
// those only, unless the issuer or the userinfo endpoint is one of them: a resource server that received it must
// not be able to read the user's claims with it (RFC 9700 §2.3, audience-restricted tokens).
func (u *UserInfo) forIssuer(audience []string) bool {
	if len(audience) == 0 {
		return true
	}
	iss := strings.TrimSuffix(u.Issuer, "/")
	return slices.ContainsFunc(audience, func(a string) bool {
		return strings.TrimSuffix(a, "/") == iss || a == iss+UserinfoPath
	})
}
