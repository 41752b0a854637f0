package oauth

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/store"
)

// Lifetimes used when Settings leaves one zero (config always sets them; tests and embedders may not).
const (
	defaultAccessTokenTTL  = time.Hour
	defaultRefreshTokenTTL = 168 * time.Hour
)

// RefreshRule says when an issuance includes a refresh token.
type RefreshRule int

const (
	// RefreshIfOffline: only when offline_access was granted and both the client and the host allow the
	// refresh_token grant (as mod_http_oauth2 does). The default.
	RefreshIfOffline RefreshRule = iota
	// RefreshAlways: the refresh grant, which rotates the refresh token on every use.
	RefreshAlways
	// RefreshNever: client credentials and implicit (RFC 6749 §4.4.3, §4.2.2).
	RefreshNever
)

// Issuance is what a grant decided to issue. Provider.Issue runs the steps every grant shares on it.
type Issuance struct {
	GrantType string
	// Flow is scope_policy's flow (policy.Flow*).
	Flow   string
	Client *store.Client
	// UserID is the user the tokens act for; "" for none (client credentials: no map_roles, no user scope, no
	// id_token).
	UserID string
	// GrantID is the grant that owns the chain; "" creates a new grant with the tokens, in the same write.
	GrantID string
	// Requested are the scopes to run through the scope chain: those requested, or those granted before.
	Requested []string
	// Narrow, when set, narrows the access token (not the refresh token) to these scopes (RFC 6749 §6).
	Narrow []string
	// Resource are the token request's resource indicators (RFC 8707 §2, checked: GrantRequest.Resource).
	Resource []string
	// GrantResources are the resources the grant was authorized for (from its code or refresh token); nil for a
	// grant that names none or is created by this issuance.
	GrantResources []string
	Refresh        RefreshRule
	// NoIDToken: never an id_token, even with openid (password grant).
	NoIDToken bool
	Nonce     string
	AuthTime  time.Time
	// Commit stores the tokens in the grant's one write, consuming the code, device code or refresh token it
	// redeems; an *Error it returns is the answer. nil: the new grant is created with the tokens (GrantID "").
	Commit func(ctx context.Context, toks []*store.Token) error
}

// IssuedTokens describes one successful token response for the OIDC layer: enough to build an id_token (sub,
// aud, auth_time, nonce, at_hash) without reading the store again.
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

// Issue is the step every grant ends in:
//   - liveness: the user of the grant exists and is not disabled (invalid_grant otherwise);
//   - the scope chain (map_roles, scope_policy) over the requested scopes, and the host's invariants;
//   - the access token in the client's format, a refresh token per the RefreshRule, an id_token from the OIDC
//     layer when openid was granted to a user;
//   - one store write (Commit, or a new grant created with its tokens).
//
// Nothing is stored until every step has succeeded, so a failure leaves nothing issued.
func (p *Provider) Issue(ctx context.Context, is *Issuance) (*TokenResponse, *Error) {
	var user *store.User
	if is.UserID != "" {
		u, e := p.liveUser(ctx, is.UserID)
		if e != nil {
			return nil, e
		}
		user = u
	}
	// RFC 8707 §2.2: the token's resources are those asked for, within the grant's; none asked, all of them.
	audience, e := tokenResources(is.Resource, is.GrantResources)
	if e != nil {
		return nil, e
	}
	scopes, audience, claims, e := p.grantScopes(ctx, is.Flow, is.Client, user, is.Requested, audience)
	if e != nil {
		return nil, e
	}
	grantResources := is.GrantResources
	if is.GrantID == "" {
		grantResources = audience // a new grant is authorized for what this issuance granted
	}
	atScopes := scopes
	if is.Narrow != nil {
		atScopes = intersect(is.Narrow, scopes)
	}
	refresh := false
	switch is.Refresh {
	case RefreshAlways:
		refresh = true
	case RefreshIfOffline:
		refresh = user != nil && p.mayRefresh(is.Client, scopes)
	}
	if !refresh {
		// RFC 6749 §5.1: scope says what was issued. offline_access is a refresh token; without one in the
		// response it was not issued, whatever was asked or consented.
		atScopes = without(atScopes, ScopeOfflineAccess)
	}
	now := p.now()
	grantID := is.GrantID
	if grantID == "" {
		grantID = newGrantID()
	}
	format, audience := p.formatFor(is.Client, audience)
	accessTTL := ttlOr(p.Settings.AccessTokenTTL, defaultAccessTokenTTL)
	at := &store.Token{Host: p.Host, Kind: store.AccessToken, GrantID: grantID, ClientID: is.Client.ID,
		Scopes: nonNil(atScopes), Audience: slices.Clone(audience), IssuedAt: now, ExpiresAt: now.Add(accessTTL)}
	mint := &MintInput{Client: is.Client}
	if user != nil {
		at.UserID = user.ID
		mint.Subject, mint.AuthTime = p.SubjectOf(user), is.AuthTime
	}
	toks := []*store.Token{at}
	var rt string
	if refresh {
		var rtID string
		rt, rtID = newSecret(PrefixRefreshToken)
		toks = append(toks, &store.Token{ID: rtID, Host: p.Host, Kind: store.RefreshToken, GrantID: grantID,
			ClientID: is.Client.ID, UserID: at.UserID, Scopes: nonNil(scopes), Audience: slices.Clone(grantResources), IssuedAt: now,
			ExpiresAt: now.Add(ttlOr(p.Settings.RefreshTokenTTL, defaultRefreshTokenTTL))})
	}
	// Bound before the access token is minted: a JWT access token carries its binding (cnf.jkt, RFC 9449 §6.1)
	// in what is signed.
	proof := bindIssued(ctx, is.Client, toks)
	value, err := format.Mint(ctx, at, mint)
	if err != nil {
		return nil, ServerError(err)
	}
	resp := &TokenResponse{AccessToken: value, TokenType: format.Type(), ExpiresIn: int64(accessTTL / time.Second),
		Scope: JoinScope(atScopes), RefreshToken: rt}
	if proof != nil {
		resp.TokenType, resp.DPoPNonce = TokenTypeDPoP, proof.NextNonce
	}
	if p.oidc != nil && user != nil && !is.NoIDToken {
		id, err := p.oidc.IDToken(ctx, &IssuedTokens{GrantType: is.GrantType, Client: is.Client, User: user,
			GrantID: grantID, Scopes: slices.Clone(atScopes), Nonce: is.Nonce, AuthTime: is.AuthTime,
			AccessToken: value, Claims: claims, IssuedAt: now, ExpiresAt: at.ExpiresAt})
		if err != nil {
			return nil, AsError(err)
		}
		resp.IDToken = id
	}
	if e := p.commit(ctx, is, grantID, user, scopes, grantResources, now, toks); e != nil {
		return nil, e
	}
	p.issued(ctx, is, grantID, at.UserID, resp.Scope)
	return resp, nil
}

// commit makes the issuance durable in one write: the grant's own (Commit), or a new grant with its tokens.
// A grant revoked or gone since the grant's checks (a concurrent replay or revocation) refuses the write.
func (p *Provider) commit(ctx context.Context, is *Issuance, grantID string, user *store.User, scopes, resources []string, now time.Time, toks []*store.Token) *Error {
	var err error
	if is.Commit != nil {
		err = is.Commit(ctx, toks)
	} else {
		g := &store.Grant{ID: grantID, Host: p.Host, ClientID: is.Client.ID, Scopes: nonNil(scopes),
			Resources: slices.Clone(resources), AuthTime: is.AuthTime, CreatedAt: now, ExpiresAt: toks[0].ExpiresAt}
		if user != nil {
			g.UserID = user.ID
		}
		err = p.Grants.Create(ctx, g, toks...)
	}
	var e *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return e
	case errors.Is(err, store.ErrRevoked), errors.Is(err, store.ErrNotFound):
		return InvalidGrant("the authorization grant was revoked")
	}
	return ServerError(err)
}

// mayRefresh reports whether a refresh token is issued with a grant of these scopes: only when offline_access
// was granted and both the client and the host allow the refresh_token grant (as mod_http_oauth2 does).
func (p *Provider) mayRefresh(client *store.Client, scopes []string) bool {
	return slices.Contains(scopes, ScopeOfflineAccess) && slices.Contains(client.GrantTypes, GrantRefreshToken) &&
		p.Serves(GrantRefreshToken)
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

// without returns s less v.
func without(s []string, v string) []string {
	if !slices.Contains(s, v) {
		return s
	}
	out := make([]string, 0, len(s)-1)
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
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

// checkOwner applies the ownership rule of RFC 6749 §6: a refresh token presented by another client than the one
// it was issued to has leaked, so its grant is ended (RFC 9700 §4.5) and the request refused. what names the
// artifact in the description. (Codes have their own rule, checkCodeOwner, which revokes nothing.)
func (p *Provider) checkOwner(ctx context.Context, owner, grantID string, client *store.Client, what string) *Error {
	if owner == client.ID {
		return nil
	}
	p.revokeGrant(ctx, grantID, ReasonOtherClient, client.ID, "what", what)
	return InvalidGrant("the " + what + " was not issued to this client")
}

// revokeGrant ends a token chain after a replay or a leak (why is one of the Reason* words, clientID the client
// that presented the artifact); a failure is logged, the request fails anyway. attrs are further key/value pairs
// for the log line (no secrets). The audit log gets a token.reuse_detected event either way: the reuse happened.
func (p *Provider) revokeGrant(ctx context.Context, grantID, why, clientID string, attrs ...any) {
	p.emit(ctx, events.Event{Kind: events.TokenReuse, GrantID: grantID, ClientID: clientID, Reason: why})
	if err := p.Grants.Revoke(ctx, p.Host, grantID); err != nil && !isGone(err) {
		p.log().Error("revoking a grant failed", append([]any{"err", err, "grant", grantID, "why", why,
			"client_id", clientID}, attrs...)...)
		return
	}
	p.log().Warn("grant revoked", append([]any{"grant", grantID, "why", why, "client_id", clientID},
		attrs...)...)
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
