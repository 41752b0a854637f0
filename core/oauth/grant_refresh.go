package oauth

import (
	"context"
	"errors"
	"github.com/assentry/assentry/policy"
	"strings"

	"github.com/assentry/assentry/store"
)

// refresh serves grant_type=refresh_token (RFC 6749 §6) for an authenticated client. Every use rotates the
// refresh token (RFC 9700 §4.14.2): the old one is marked used and the new pair stored in one atomic write, so
// of two racing refreshes exactly one wins, and a rotated token presented again is detected as reuse.
func (p *Provider) refresh(ctx context.Context, client *store.Client, params Params) (*TokenResponse, *Error) {
	rt := params["refresh_token"]
	if rt == "" {
		return nil, InvalidRequest("refresh_token is required")
	}
	if !strings.HasPrefix(rt, PrefixRefreshToken) {
		return nil, InvalidGrant("the refresh token is invalid, expired or revoked")
	}
	old, err := p.Tokens.Get(ctx, p.Host, Digest(rt))
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return nil, p.refreshReused(ctx, client, old)
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrRevoked):
		return nil, InvalidGrant("the refresh token is invalid, expired or revoked")
	case err != nil:
		return nil, ServerError(err)
	}
	if old.Kind != store.RefreshToken {
		return nil, InvalidGrant("the refresh token is invalid, expired or revoked")
	}
	if old.ClientID != client.ID {
		// RFC 6749 §6: the refresh token must have been issued to the authenticated client. Another client
		// holding it means it leaked, as for a code: end the chain.
		p.revokeGrant(ctx, old.GrantID, "refresh token presented by another client")
		return nil, InvalidGrant("the refresh token was not issued to this client")
	}
	user, e := p.liveUser(ctx, old.UserID)
	if e != nil {
		return nil, e
	}
	// The new refresh token keeps the grant's scope, less the roles the user lost; a narrower scope asked for
	// here applies to the new access token only (RFC 6749 §6: "MUST NOT include any scope not originally
	// granted", and omitted means the original scope).
	requested := uniq(ParseScope(params["scope"]))
	if len(requested) > 0 && !Subset(requested, old.Scopes) {
		return nil, InvalidScope("the requested scope exceeds the scope originally granted")
	}
	// The grant's one scope decision (map_roles, scope_policy) over the original scope: roles the user lost are
	// dropped from the new refresh token too.
	rtScopes, claims, e := p.grantScopes(ctx, policy.FlowRefreshToken, client, user, old.Scopes)
	if e != nil {
		return nil, e
	}
	atScopes := rtScopes
	if len(requested) > 0 {
		atScopes = intersect(requested, rtScopes)
	}
	m := mintRequest{grantType: GrantRefreshToken, client: client, user: user, grantID: old.GrantID,
		atScopes: atScopes, rtScopes: rtScopes, refresh: true, claims: claims}
	if p.OnTokens != nil {
		// auth_time of a refreshed id_token is the original authentication's (OIDC Core §12.2).
		g, err := p.Grants.Get(ctx, p.Host, old.GrantID)
		if err != nil && !isGone(err) {
			return nil, ServerError(err)
		}
		if g != nil {
			m.authTime = g.AuthTime
		}
	}
	resp, toks, e := p.mint(ctx, m)
	if e != nil {
		return nil, e
	}
	used, err := p.Tokens.Rotate(ctx, p.Host, old.ID, toks...)
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		// Another refresh with the same token won the race (or a replay slipped in since Get).
		return nil, p.refreshReused(ctx, client, used)
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrRevoked):
		return nil, InvalidGrant("the refresh token is invalid, expired or revoked")
	case err != nil:
		return nil, ServerError(err)
	}
	return resp, nil
}

// refreshReused answers a rotated refresh token presented again. RFC 9700 §4.14.2: the server cannot tell the
// legitimate client from an attacker, so it revokes the active refresh token of the chain, which here is the
// whole grant. The one exception is refresh_token_reuse_grace: the same client presenting the token again within
// the grace after its rotation is most likely retrying a request whose answer it lost (or racing itself); it is
// refused without ending the chain. With a zero grace (the default) every reuse ends the chain.
func (p *Provider) refreshReused(ctx context.Context, client *store.Client, used *store.Token) *Error {
	e := InvalidGrant("the refresh token was already used")
	if used == nil {
		return e
	}
	grace := p.Settings.RefreshReuseGrace
	if grace > 0 && used.ClientID == client.ID && p.now().Sub(used.UsedAt) <= grace {
		return e
	}
	p.revokeGrant(ctx, used.GrantID, "refresh token reused")
	return e
}
