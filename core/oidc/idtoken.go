package oidc

import (
	"context"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
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

// IDTokens issues id_tokens at the token endpoint (through Layer, the OAuth core's OIDC interface).
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
	// Policy is the host's policy chain, whose claims hook adds claims (required).
	Policy policy.Policy
	Now    func() time.Time
}

// OnTokens returns the id_token of a token response: only when openid is among the access token's scopes
// (OIDC Core §3.1.3.3), and on refresh only with OnRefresh. Claims that map_roles and the claims hook add are
// merged in; reserved names stay the server's.
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
	sub := t.Subjects.Of(it.User)
	extra, err := policyClaims(ctx, t.Policy, sub, it.User, it.Client, it.Scopes, policy.TargetIDToken)
	if err != nil {
		return "", err
	}
	c := jwt.MapClaims{}
	merge(c, it.Claims)
	merge(c, extra)
	c["iss"], c["sub"], c["aud"] = t.Issuer, sub, it.Client.ID
	c["exp"], c["iat"] = now.Add(t.TTL).Unix(), now.Unix()
	c["amr"] = []string{"pwd"}
	if h := t.AtHash(alg, it.AccessToken); h != "" {
		c["at_hash"] = h
	}
	if !it.AuthTime.IsZero() {
		c["auth_time"] = it.AuthTime.Unix()
	}
	if it.GrantType == oauth.GrantAuthorizationCode && it.Nonce != "" {
		c["nonce"] = it.Nonce // echoed exactly (OIDC Core §3.1.3.6); absent on refresh (§12.2)
	}
	return t.Signer.Sign(ctx, alg, c)
}

// policyClaims runs the claims hook.
func policyClaims(ctx context.Context, p policy.Policy, sub string, u *store.User, c *store.Client, scopes []string, target string) (map[string]any, error) {
	out, err := p.Claims(ctx, &policy.ClaimsInput{User: *oauth.PolicyUser(sub, u, u.Roles), Client: oauth.PolicyClient(c),
		Scopes: scopes, Target: target})
	if err != nil {
		return nil, err
	}
	return out.Claims, nil
}

// merge copies claims into dst, leaving the reserved names (policy.ReservedClaims) to the server.
func merge(dst map[string]any, claims map[string]any) {
	for k, v := range claims {
		if !policy.ReservedClaim(k) {
			dst[k] = v
		}
	}
}
