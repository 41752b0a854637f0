package oauth

import (
	"context"
	"errors"
	"strings"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// refreshGrant serves grant_type=refresh_token (RFC 6749 §6). Every use rotates the refresh token (RFC 9700
// §4.14.2): the old one is marked used and the new pair stored in one atomic write, so of two racing refreshes
// exactly one wins, and a rotated token presented again is detected as reuse.
type refreshGrant struct{}

func (refreshGrant) Type() string { return GrantRefreshToken }

func (refreshGrant) Token(ctx context.Context, p *Provider, r *GrantRequest) (*TokenResponse, *Error) {
	rt := r.Params["refresh_token"]
	if rt == "" {
		return nil, InvalidRequest("refresh_token is required")
	}
	// RFC 6749 §5.2: a malformed scope is invalid_scope (ParseScope), before the refresh token is looked at, so
	// nothing is consumed.
	requested, e := ParseScope(r.Params["scope"])
	if e != nil {
		return nil, e
	}
	requested = uniq(requested)
	if !strings.HasPrefix(rt, PrefixRefreshToken) {
		return nil, InvalidGrant("the refresh token is invalid, expired or revoked")
	}
	old, err := p.Tokens.Get(ctx, p.Host, Digest(rt))
	// RFC 9449 §5: a bound refresh token (a public client's) is good only with a proof by its key, and that is
	// checked first, as for a code bound with dpop_jkt: without the key, a thief holding a rotated token must not
	// end the grant as a reuse (RFC 9700 §4.14.2), nor as a leak by presenting it as another client (checkOwner).
	if old != nil && (err == nil || errors.Is(err, store.ErrAlreadyUsed)) {
		if e := checkRefreshDPoP(ctx, old); e != nil {
			return nil, e
		}
	}
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return nil, p.refreshReused(ctx, r.Client, old)
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrRevoked):
		return nil, InvalidGrant("the refresh token is invalid, expired or revoked")
	case err != nil:
		return nil, ServerError(err)
	}
	if old.Kind != store.RefreshToken {
		return nil, InvalidGrant("the refresh token is invalid, expired or revoked")
	}
	if e := p.checkOwner(ctx, old.ClientID, old.GrantID, r.Client, "refresh token"); e != nil {
		return nil, e
	}
	// The new refresh token keeps the grant's scope, less the roles the user lost; a narrower scope asked for
	// here applies to the new access token only (RFC 6749 §6: "MUST NOT include any scope not originally
	// granted", and omitted means the original scope).
	if len(requested) > 0 && !Subset(requested, old.Scopes) {
		return nil, InvalidScope("the requested scope exceeds the scope originally granted")
	}
	is := &Issuance{GrantType: GrantRefreshToken, Flow: policy.FlowRefreshToken, Client: r.Client,
		UserID: old.UserID, GrantID: old.GrantID, Requested: old.Scopes, Refresh: RefreshAlways,
		Resource: r.Resource, GrantResources: old.Audience,
		Commit: func(ctx context.Context, toks []*store.Token) error {
			used, err := p.Tokens.Rotate(ctx, p.Host, old.ID, toks...)
			switch {
			case errors.Is(err, store.ErrAlreadyUsed):
				// Another refresh with the same token won the race (or a replay slipped in since Get).
				return p.refreshReused(ctx, r.Client, used)
			case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrRevoked):
				return InvalidGrant("the refresh token is invalid, expired or revoked")
			}
			return err
		}}
	if len(requested) > 0 {
		is.Narrow = requested
	}
	if p.oidc != nil {
		// auth_time of a refreshed id_token is the original authentication's (OIDC Core §12.2).
		g, err := p.Grants.Get(ctx, p.Host, old.GrantID)
		if err != nil && !isGone(err) {
			return nil, ServerError(err)
		}
		if g != nil {
			is.AuthTime = g.AuthTime
		}
	}
	return p.Issue(ctx, is)
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
	// A clock behind the rotation (since <0) is not within the grace: a clock set back must not soften reuse
	// detection (docs/architecture.md §3, "Clocks").
	grace, since := p.Settings.RefreshReuseGrace, p.now().Sub(used.UsedAt)
	if grace > 0 && used.ClientID == client.ID && since >= 0 && since <= grace {
		return e
	}
	p.revokeGrant(ctx, used.GrantID, ReasonRefreshReused, client.ID)
	return e
}
