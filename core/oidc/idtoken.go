package oidc

import (
	"context"
	"slices"
	"time"

	"github.com/assentry/assentry/core/oauth"
	"github.com/golang-jwt/jwt/v5"
)

// Signer signs JWTs with the host's current key of an algorithm (core/token.Manager).
type Signer interface {
	Sign(ctx context.Context, alg string, claims jwt.Claims) (string, error)
}

// IDTokenClaims are the claims of an id_token (OIDC Core §2).
type IDTokenClaims struct {
	jwt.RegisteredClaims
	AuthTime int64    `json:"auth_time,omitempty"`
	Nonce    string   `json:"nonce,omitempty"`
	AMR      []string `json:"amr,omitempty"`
	AtHash   string   `json:"at_hash,omitempty"`
}

// IDTokens issues id_tokens at the token endpoint, as the oauth.Provider.OnTokens hook.
type IDTokens struct {
	Issuer     string
	TTL        time.Duration
	DefaultAlg string // id_token_signing_alg; a client's id_token_signed_response_alg wins
	Subjects   Subjects
	Signer     Signer
	AtHash     func(alg, accessToken string) string
	// OnRefresh issues an id_token on refresh too (refresh_id_token), with the original auth_time and no nonce
	// (OIDC Core §12.2).
	OnRefresh bool
	Now       func() time.Time
}

// OnTokens returns the id_token of a token response: only when openid is among the access token's scopes
// (OIDC Core §3.1.3.3), and on refresh only with OnRefresh.
func (t *IDTokens) OnTokens(ctx context.Context, it *oauth.IssuedTokens) (string, error) {
	if !slices.Contains(it.Scopes, oauth.ScopeOpenID) || (it.GrantType == oauth.GrantRefreshToken && !t.OnRefresh) {
		return "", nil
	}
	alg := it.Client.IDTokenSignedResponseAlg
	if alg == "" {
		alg = t.DefaultAlg
	}
	now := it.IssuedAt
	if now.IsZero() {
		now = time.Now()
	}
	c := IDTokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.Issuer,
			Subject:   t.Subjects.Of(it.User),
			Audience:  jwt.ClaimStrings{it.Client.ID},
			ExpiresAt: jwt.NewNumericDate(now.Add(t.TTL)),
			IssuedAt:  jwt.NewNumericDate(now),
		},
		AMR:    []string{"pwd"},
		AtHash: t.AtHash(alg, it.AccessToken),
	}
	if !it.AuthTime.IsZero() {
		c.AuthTime = it.AuthTime.Unix()
	}
	if it.GrantType == oauth.GrantAuthorizationCode {
		c.Nonce = it.Nonce // echoed exactly (OIDC Core §3.1.3.6); absent on refresh (§12.2)
	}
	return t.Signer.Sign(ctx, alg, c)
}
