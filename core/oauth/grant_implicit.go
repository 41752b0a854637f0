package oauth

import (
	"context"
	"net/url"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// ResponseTypeToken is the implicit grant's response type (RFC 6749 §4.2.1).
const ResponseTypeToken = "token"

// implicitGrant is the implicit grant (RFC 6749 §4.2), off by default. RFC 9700 §2.1.2: clients SHOULD NOT use
// it, since the access token travels in the redirect URI's fragment, where browser history, referrers and
// injected scripts can read it, and it cannot be sender-constrained; the authorization code grant with PKCE
// serves the same clients. It is here for clients registered with mod_http_oauth2 that still use it: a host
// enables it with grant_types: [implicit], and a client must be registered for it (grant type implicit,
// response type token).
type implicitGrant struct{}

func (implicitGrant) Type() string { return GrantImplicit }

// Token refuses grant_type=implicit at the token endpoint: the implicit grant has no token request.
func (implicitGrant) Token(context.Context, *Provider, *GrantRequest) (*TokenResponse, *Error) {
	return nil, UnsupportedGrantType("the implicit grant issues tokens at the authorization endpoint, not here")
}

// issueImplicit ends an authorization of response_type=token (RFC 6749 §4.2.2): an access token for the scopes
// the user approved, never a refresh token (§4.2.2) and never an id_token (response_type is token alone), in one
// write with its new grant; the browser is sent to the redirect URI with the token, state and iss in the
// fragment.
func (p *Provider) issueImplicit(ctx context.Context, ix *store.Interaction, client *store.Client, user *store.User, scopes []string) (*Step, error) {
	resp, e := p.Issue(ctx, &Issuance{GrantType: GrantImplicit, Flow: policy.FlowImplicit, Client: client,
		UserID: user.ID, Requested: scopes, Refresh: RefreshNever, NoIDToken: true, AuthTime: ix.AuthTime,
		Resource: ix.Resources})
	if e != nil {
		return nil, p.redirectError(ix, client, e)
	}
	loc := WithFragment(ix.RedirectURI, url.Values{"access_token": {resp.AccessToken}, "token_type": {resp.TokenType},
		"expires_in": {itoa(resp.ExpiresIn)}, "scope": {resp.Scope}, "state": {ix.State}, "iss": {p.Settings.Issuer}})
	return &Step{Kind: StepDone, Location: loc, Client: client}, nil
}
