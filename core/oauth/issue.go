package oauth

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/assentry/assentry/store"
)

// Lifetimes used when Settings leaves one zero (config always sets them; tests and embedders may not).
const (
	defaultAccessTokenTTL  = time.Hour
	defaultRefreshTokenTTL = 168 * time.Hour
)

// IssuedTokens describes one successful token response for Provider.OnTokens: enough for the OIDC layer to
// build an id_token (sub, aud, auth_time, nonce, at_hash) without reading the store again.
type IssuedTokens struct {
	GrantType string
	Client    *store.Client
	User      *store.User
	GrantID   string
	// Scopes are the access token's scopes (openid among them when an id_token is wanted).
	Scopes []string
	// Nonce is the authorization request's nonce (code exchange only; OIDC Core §12.2 leaves it out of a
	// refreshed id_token).
	Nonce    string
	AuthTime time.Time
	// AccessToken is the access token value, for at_hash (OIDC Core §3.1.3.6).
	AccessToken string
	// Claims are those map_roles added, for the id_token.
	Claims    map[string]any
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// mintRequest is what a grant handler has decided to issue.
type mintRequest struct {
	grantType string
	client    *store.Client
	user      *store.User
	grantID   string
	atScopes  []string // the access token's scopes
	rtScopes  []string // the refresh token's scopes, when refresh
	refresh   bool     // issue a refresh token
	nonce     string
	authTime  time.Time
	claims    map[string]any // added by map_roles, for the id_token
}

// mint creates the tokens of one response (RFC 6749 §5.1) without storing them: the caller stores them in one
// write (Tokens.Put or Tokens.Rotate). Values are 256 random bits with a type prefix; only their SHA-256 is
// kept (DESIGN.md §3). The OIDC hook runs here, so a failing hook leaves nothing issued.
func (p *Provider) mint(ctx context.Context, m mintRequest) (*TokenResponse, []*store.Token, *Error) {
	now := p.now()
	accessTTL := ttlOr(p.Settings.AccessTokenTTL, defaultAccessTokenTTL)
	at, atID := newSecret(PrefixAccessToken)
	toks := []*store.Token{{ID: atID, Host: p.Host, Kind: store.AccessToken, GrantID: m.grantID,
		ClientID: m.client.ID, UserID: m.user.ID, Scopes: nonNil(m.atScopes), IssuedAt: now,
		ExpiresAt: now.Add(accessTTL)}}
	resp := &TokenResponse{AccessToken: at, TokenType: TokenTypeBearer, ExpiresIn: int64(accessTTL / time.Second),
		Scope: JoinScope(m.atScopes)}
	if m.refresh {
		rt, rtID := newSecret(PrefixRefreshToken)
		toks = append(toks, &store.Token{ID: rtID, Host: p.Host, Kind: store.RefreshToken, GrantID: m.grantID,
			ClientID: m.client.ID, UserID: m.user.ID, Scopes: nonNil(m.rtScopes), IssuedAt: now,
			ExpiresAt: now.Add(ttlOr(p.Settings.RefreshTokenTTL, defaultRefreshTokenTTL))})
		resp.RefreshToken = rt
	}
	if p.OnTokens != nil {
		id, err := p.OnTokens(ctx, &IssuedTokens{GrantType: m.grantType, Client: m.client, User: m.user,
			GrantID: m.grantID, Scopes: slices.Clone(m.atScopes), Nonce: m.nonce, AuthTime: m.authTime,
			AccessToken: at, Claims: m.claims, IssuedAt: now, ExpiresAt: toks[0].ExpiresAt})
		if err != nil {
			return nil, nil, AsError(err)
		}
		resp.IDToken = id
	}
	return resp, toks, nil
}

// mayRefresh reports whether a refresh token is issued with a grant of these scopes: only when offline_access
// was granted and both the client and the host allow the refresh_token grant (as mod_http_oauth2 does).
func (p *Provider) mayRefresh(client *store.Client, scopes []string) bool {
	return slices.Contains(scopes, ScopeOfflineAccess) && slices.Contains(client.GrantTypes, GrantRefreshToken) &&
		slices.Contains(p.Settings.GrantTypes, GrantRefreshToken)
}

// heldScopes drops the role scopes the user no longer holds (HoldsRole).
func (p *Provider) heldScopes(scopes []string, user *store.User) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if info, ok := p.Scopes.Lookup(s); ok && info.Role && !HoldsRole(s, user.Roles) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// intersect keeps the elements of a that are in b, in a's order.
func intersect(a, b []string) []string {
	out := make([]string, 0, len(a))
	for _, s := range a {
		if slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// liveUser loads the user a grant belongs to: a deleted or disabled user's grants yield nothing (invalid_grant).
func (p *Provider) liveUser(ctx context.Context, id string) (*store.User, *Error) {
	u, err := p.Users.Get(ctx, p.Host, id)
	switch {
	case isGone(err):
		return nil, InvalidGrant("the user of this grant no longer exists")
	case err != nil:
		return nil, ServerError(err)
	case u.Disabled:
		return nil, InvalidGrant("the user of this grant is disabled")
	}
	return u, nil
}

// revokeGrant ends a token chain after a replay or a leak; a failure is logged, the request fails anyway.
func (p *Provider) revokeGrant(ctx context.Context, grantID, why string) {
	if err := p.Grants.Revoke(ctx, p.Host, grantID); err != nil && !isGone(err) {
		p.log().Error("revoking a grant failed", "err", err, "grant", grantID, "why", why)
		return
	}
	p.log().Warn("grant revoked", "grant", grantID, "why", why, "host", p.Host)
}

// isGone reports a record that does not exist (any more).
func isGone(err error) bool { return err != nil && errors.Is(err, store.ErrNotFound) }

func ttlOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// nonNil keeps an empty scope list "[]" rather than null in the stored record.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

// uniq drops repeated scopes, keeping the first of each.
func uniq(s []string) []string {
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
