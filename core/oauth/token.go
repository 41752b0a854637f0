package oauth

import (
	"context"
	"slices"

	"github.com/assentry/assentry/store"
)

// TokenTypeBearer is the only access token type issued (RFC 6750; RFC 6749 §7.1).
const TokenTypeBearer = "Bearer"

// TokenRequest is a request to the token endpoint (RFC 6749 §3.2): its form parameters, parsed once with
// ParseParams so a repeated parameter is already refused, and the client's credentials.
type TokenRequest struct {
	Params Params
	Client ClientCredentials
}

// TokenResponse is a successful token response (RFC 6749 §5.1), written as JSON with Cache-Control: no-store.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	// Scope is always sent, even when it equals the request (§5.1 makes it optional then): a client should not
	// have to know the server's scope policy to learn what it got.
	Scope string `json:"scope"`
	// IDToken is what Provider.OnTokens returned (OIDC Core §3.1.3.3); empty without the hook.
	IDToken string `json:"id_token,omitempty"`
}

// grantFunc serves one grant type for an authenticated client that may use it.
type grantFunc func(ctx context.Context, client *store.Client, params Params) (*TokenResponse, *Error)

// grantHandler returns the handler of a grant type, nil for a grant this version does not implement. A switch
// rather than a registry: what is served is visible here, and there is no package-level state.
func (p *Provider) grantHandler(grantType string) grantFunc {
	switch grantType {
	case GrantAuthorizationCode:
		return p.exchangeCode
	case GrantRefreshToken:
		return p.refresh
	}
	return nil
}

// Token serves the token endpoint (RFC 6749 §3.2). The phases shared by every grant are here: client
// authentication first, so an unauthenticated request consumes nothing (DESIGN.md §4); then grant_type, which
// the host must serve (unsupported_grant_type) and the client must be registered for (unauthorized_client,
// RFC 6749 §5.2); then the grant's handler. Descriptions never echo request values: RFC 6749 §5.2 limits
// error_description to printable ASCII without '"' and '\'.
func (p *Provider) Token(ctx context.Context, r *TokenRequest) (*TokenResponse, *Error) {
	client, err := p.AuthenticateClient(ctx, r.Client)
	if err != nil {
		return nil, err
	}
	grantType := r.Params["grant_type"]
	if grantType == "" {
		return nil, InvalidRequest("grant_type is required")
	}
	handler := p.grantHandler(grantType)
	if handler == nil || !slices.Contains(p.Settings.GrantTypes, grantType) {
		return nil, UnsupportedGrantType("the grant_type is not supported by this server")
	}
	if !slices.Contains(client.GrantTypes, grantType) {
		return nil, UnauthorizedClient("the client is not registered for this grant_type")
	}
	return handler(ctx, client, r.Params)
}
