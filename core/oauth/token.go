package oauth

import (
	"context"
	"slices"
)

// TokenTypeBearer is the access token type of opaque tokens (RFC 6750; RFC 6749 §7.1).
const TokenTypeBearer = "Bearer"

// TokenRequest is a request to the token endpoint (RFC 6749 §3.2): its form parameters, parsed once with
// ParseParams so a repeated parameter is already refused, the client's credentials and the transport facts.
type TokenRequest struct {
	Params    Params
	Client    ClientCredentials
	Transport Transport
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
	// IDToken is what the OIDC layer returned (OIDC Core §3.1.3.3); empty without it.
	IDToken string `json:"id_token,omitempty"`
	// DPoPNonce is the server nonce to announce in the DPoP-Nonce header (RFC 9449 §8.2); never in the body.
	DPoPNonce string `json:"-"`
}

// Token serves the token endpoint (RFC 6749 §3.2). The phases shared by every grant are here: client
// authentication first, so an unauthenticated request consumes nothing; then grant_type, which the host must
// serve (unsupported_grant_type) and the client must be registered for (unauthorized_client, RFC 6749 §5.2);
// then the grant. Descriptions never echo request values: RFC 6749 §5.2 limits error_description to printable
// ASCII without '"' and '\'.
func (p *Provider) Token(ctx context.Context, r *TokenRequest) (*TokenResponse, *Error) {
	client, e := p.AuthenticateClient(ctx, r.Client, r.Transport.ClientAddr)
	if e != nil {
		return nil, e
	}
	grantType := r.Params["grant_type"]
	if grantType == "" {
		return nil, InvalidRequest("grant_type is required")
	}
	g, ok := p.grants[grantType]
	if !ok {
		return nil, UnsupportedGrantType("the grant_type is not supported by this server")
	}
	if !slices.Contains(client.GrantTypes, grantType) {
		return nil, UnauthorizedClient("the client is not registered for this grant_type")
	}
	// RFC 8707 §2: a malformed or unknown resource is invalid_target before the grant consumes anything.
	resource, e := p.checkResources(client, r.Params.Resources())
	if e != nil {
		return nil, e
	}
	// RFC 9449 §5: a DPoP proof binds what the grant issues (issue.go, dpop.go).
	proof, e := p.tokenProof(ctx, client, r.Transport)
	if e != nil {
		return nil, e
	}
	return g.Token(withProof(ctx, proof), p, &GrantRequest{Client: client, Params: r.Params, Transport: r.Transport,
		Resource: resource})
}
