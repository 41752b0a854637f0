package httpapi

import (
	"context"

	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// formCall runs one client-authenticated form request in the core.
type formCall func(ctx context.Context, p *oauth.Provider, params oauth.Params, cred oauth.ClientCredentials, tr oauth.Transport) (any, *oauth.Error)

// formEndpoint is the shape of the client-authenticated form endpoints: the form is parsed once and copied with
// the client's credentials into a core request; the answer is uncacheable JSON (RFC 6749 §5.1, RFC 7662 §4) or
// an OAuth error. call returns nil for an empty 200 (revocation).
func (s *Server) formEndpoint(call formCall) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := oauthProvider(c)
		if err != nil {
			return err
		}
		params, e := formParams(c)
		if e != nil {
			return s.writeError(c, e)
		}
		resp, e := call(c.UserContext(), p, params, credentials(c, params), s.transport(c))
		if e != nil {
			return s.writeError(c, e)
		}
		if resp == nil {
			// Status, not SendStatus: fiber would fill the empty body with "OK".
			noStore(c)
			c.Status(fiber.StatusOK)
			return nil
		}
		if tr, ok := resp.(*oauth.TokenResponse); ok && tr.DPoPNonce != "" {
			c.Set(dpop.HeaderNonce, tr.DPoPNonce) // the next nonce, RFC 9449 §8.2
		}
		return writeJSON(c, resp)
	}
}

// tokenCall serves POST /oauth2/token (RFC 6749 §3.2): the core authenticates the client and runs the grant.
func tokenCall(ctx context.Context, p *oauth.Provider, params oauth.Params, cred oauth.ClientCredentials, tr oauth.Transport) (any, *oauth.Error) {
	return p.Token(ctx, &oauth.TokenRequest{Params: params, Client: cred, Transport: tr})
}

// introspectCall serves POST /oauth2/introspect (RFC 7662): an authenticated confidential client learns whether
// a token is active, and if so its metadata; anything else is {"active": false}.
func introspectCall(ctx context.Context, p *oauth.Provider, params oauth.Params, cred oauth.ClientCredentials, tr oauth.Transport) (any, *oauth.Error) {
	return p.Introspect(ctx, &oauth.IntrospectionRequest{Params: params, Client: cred, Transport: tr})
}

// revokeCall serves POST /oauth2/revoke (RFC 7009). Success is 200 with an empty body (§2.2), also for a
// token that is unknown or already dead; another client's token is 400 unauthorized_client (docs/architecture.md §5).
func revokeCall(ctx context.Context, p *oauth.Provider, params oauth.Params, cred oauth.ClientCredentials, tr oauth.Transport) (any, *oauth.Error) {
	return nil, p.Revoke(ctx, &oauth.RevocationRequest{Params: params, Client: cred, Transport: tr})
}
