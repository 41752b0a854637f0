package oauth

import (
	"context"
	"errors"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/ratelimit"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// maxCredentialLen bounds the username and password the password grant looks at, as the login page does:
// argon2id's cost grows with the input, and nobody's password is longer.
const maxCredentialLen = 1024

// Authenticator checks a user's password for the password grant; *account.Service is the one Assentry uses.
// Authenticate normalises the username (username_is_full_id included) and returns account.ErrInvalidCredentials
// for an unknown user or a wrong password, account.ErrDisabled for a disabled user whose password was right.
// LimiterKey is a username's key in the per-username limiter of failed logins, the login page's.
type Authenticator interface {
	Authenticate(ctx context.Context, username, password string) (*store.User, error)
	LimiterKey(username string) string
}

var _ Authenticator = (*account.Service)(nil)

// PasswordGrant serves grant_type=password, the resource owner password credentials grant (RFC 6749 §4.3).
// RFC 9700 §2.4 says it MUST NOT be used: the client sees the user's password, and no second factor or consent
// page can run. It exists for clients that cannot do anything else, is off unless a host enables it, and is
// limited here to confidential clients the operator trusts (a static client not marked untrusted; registration
// never grants it). No id_token is issued (the user did not sign in to an OpenID Provider page); a refresh token
// follows the usual offline_access rule.
//
// Failures share the login page's limiters (the same instances, per client address and per username), so the
// grant is no way around them; a limited request is answered before any password is hashed.
type PasswordGrant struct {
	accounts       Authenticator
	perIP, perUser *ratelimit.Limiter
}

// NewPasswordGrant returns the password grant of a host: its accounts, and the login page's limiters of failed
// attempts per client address and per username. Each is required.
func NewPasswordGrant(accounts Authenticator, perIP, perUser *ratelimit.Limiter) *PasswordGrant {
	if accounts == nil || perIP == nil || perUser == nil {
		panic("oauth: NewPasswordGrant needs an authenticator and both login limiters")
	}
	return &PasswordGrant{accounts: accounts, perIP: perIP, perUser: perUser}
}

func (*PasswordGrant) Type() string { return GrantPassword }

// Token authenticates the user and issues tokens for the requested scope (the client's registered scopes when
// there is none, RFC 6749 §3.3), through map_roles and scope_policy with flow password. An unknown user, a wrong
// password and a disabled user all get the same invalid_grant (RFC 6749 §5.2), and each spends a token of both
// limiters, so neither the answer nor the limits tell them apart.
func (g *PasswordGrant) Token(ctx context.Context, p *Provider, r *GrantRequest) (*TokenResponse, *Error) {
	switch {
	case r.Client.TokenEndpointAuthMethod == AuthNone:
		return nil, UnauthorizedClient("the password grant is only for confidential clients")
	case r.Client.Untrusted:
		// RFC 6749 §4.3: only where the resource owner trusts the client, which the operator vouches for.
		return nil, UnauthorizedClient("the password grant is only for clients the operator trusts")
	}
	username, password := r.Params["username"], r.Params["password"]
	if username == "" || password == "" {
		return nil, InvalidRequest("username and password are required")
	}
	// RFC 6749 §5.2: a malformed scope is invalid_scope (ParseScope), found before any password is hashed or
	// limiter spent; unknown well-formed scopes are dropped by the scope policy.
	requested, e := ParseScope(r.Params["scope"])
	if e != nil {
		return nil, e
	}
	if len(username) > maxCredentialLen || len(password) > maxCredentialLen {
		return nil, invalidCredentials()
	}
	ip, key := r.Transport.ClientAddr, g.accounts.LimiterKey(username)
	// Limits first: a limited attempt costs no argon2id work and reveals nothing about the password.
	if wait := max(g.perIP.Wait(ip), g.perUser.Wait(key)); wait > 0 {
		p.emit(ctx, events.Event{Kind: events.LoginRateLimited, GrantType: GrantPassword, ClientKind: ClientKind(r.Client),
			ClientID: r.Client.ID, IP: ip, Username: username})
		return nil, TooManyRequests("too many failed sign-in attempts; retry later", wait)
	}
	u, err := g.accounts.Authenticate(ctx, username, password)
	switch {
	case errors.Is(err, account.ErrInvalidCredentials), errors.Is(err, account.ErrDisabled):
		g.perIP.Spend(ip)
		g.perUser.Spend(key)
		p.log().Info("password grant failed", "client_id", r.Client.ID, "username", username, "reason", account.FailureReason(err), "ip", ip)
		p.emit(ctx, events.Event{Kind: events.LoginFailed, GrantType: GrantPassword, ClientKind: ClientKind(r.Client),
			ClientID: r.Client.ID, IP: ip, Username: username, Reason: account.FailureReason(err)})
		return nil, invalidCredentials()
	case err != nil:
		return nil, ServerError(err)
	}
	requested = uniq(requested)
	if len(requested) == 0 {
		requested = r.Client.Scopes
	}
	p.emit(ctx, events.Event{Kind: events.LoginSucceeded, GrantType: GrantPassword, ClientKind: ClientKind(r.Client),
		ClientID: r.Client.ID, IP: ip, UserID: u.ID, Username: u.Username})
	resp, e := p.Issue(ctx, &Issuance{GrantType: GrantPassword, Flow: policy.FlowPassword, Client: r.Client,
		UserID: u.ID, Requested: requested, NoIDToken: true, AuthTime: p.now(), Resource: r.Resource})
	if e == nil {
		p.log().Info("password grant", "client_id", r.Client.ID, "user_id", u.ID, "ip", ip)
	}
	return resp, e
}

// invalidCredentials is the one answer to wrong credentials, whatever was wrong.
func invalidCredentials() *Error { return InvalidGrant("the username or password is not correct") }
