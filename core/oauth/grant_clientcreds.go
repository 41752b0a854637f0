package oauth

import (
	"context"

	"github.com/assentry/assentry/policy"
)

// clientCredentialsGrant serves grant_type=client_credentials (RFC 6749 §4.4): a confidential client gets an
// access token for itself, with no user. The dispatcher has checked that the host serves the grant and the
// client is registered for it.
//
// Scopes: the requested scope, or the client's registered scopes when the request has none (RFC 6749 §3.3's
// "pre-defined default value"), through scope_policy with flow client_credentials and no user; a scope that
// stands for a user (openid, profile, email, offline_access, every role scope, xmpp among them) is never granted,
// since there is none (Issue drops them). A request whose scopes are all dropped is not refused with
// invalid_scope: RFC 6749 §3.3 lets the server issue fewer scopes than requested and say so in the response's
// scope, which is always sent, and that is what every grant of this server does with unknown scopes. The token
// then carries no scope and identifies the client alone.
//
// No refresh token (RFC 6749 §4.4.3: it SHOULD NOT be included; the client can ask again) and no id_token (no
// user). The token's subject is the client_id (introspection marks it with sub_type client).
type clientCredentialsGrant struct{}

func (clientCredentialsGrant) Type() string { return GrantClientCredentials }

func (clientCredentialsGrant) Token(ctx context.Context, p *Provider, r *GrantRequest) (*TokenResponse, *Error) {
	// RFC 6749 §4.4: "MUST only be used by confidential clients"; a public client's id proves nothing.
	if r.Client.TokenEndpointAuthMethod == AuthNone {
		return nil, UnauthorizedClient("the client_credentials grant is only for confidential clients")
	}
	// RFC 9700 §4.15: a client that acts for itself has its client_id as sub; one that could pass for a user's
	// sub would let a resource server take the client for that user.
	if p.subjectCollides(r.Client.ID) {
		p.log().Warn("client_credentials refused: the client_id has the shape of a user's subject (RFC 9700 §4.15); "+
			"give the client another id", "client_id", r.Client.ID)
		return nil, UnauthorizedClient("this client_id could be taken for a user's subject, so the client may not " +
			"act for itself; the operator must give it another client_id")
	}
	// RFC 6749 §5.2: a malformed scope is invalid_scope (ParseScope); unknown well-formed ones are dropped below.
	requested, e := ParseScope(r.Params["scope"])
	if e != nil {
		return nil, e
	}
	requested = uniq(requested)
	if len(requested) == 0 {
		requested = r.Client.Scopes
	}
	return p.Issue(ctx, &Issuance{GrantType: GrantClientCredentials, Flow: policy.FlowClientCredentials,
		Client: r.Client, Requested: requested, Refresh: RefreshNever, NoIDToken: true, Resource: r.Resource})
}
