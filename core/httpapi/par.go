package httpapi

import (
	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// maxPushedRequest bounds the body of a pushed authorization request, which is kept in the store until it is
// used or expires, and which a public client pushes without a secret: 16 KiB, several times a real request
// (a few redirect URIs, scopes, resources, a state and a PKCE challenge). Beyond it the answer is 413
// (RFC 9126 §2.3).
const maxPushedRequest = 16 << 10

// pushedAuthorizationRequest serves POST /oauth2/par (RFC 9126 §2): the form is parsed and the client's
// credentials copied as at the token endpoint; the core authenticates, validates and stores the request. Success
// is 201 with the request_uri (§2.2); errors are JSON (§2.3), invalid_client with 401 and WWW-Authenticate as at
// the token endpoint (writeError).
func (s *Server) pushedAuthorizationRequest(c *fiber.Ctx) error {
	p, err := oauthProvider(c)
	if err != nil {
		return err
	}
	noStore(c)
	// Every push counts, before anything is parsed: what one address can make the store keep is bounded.
	if h := hostOf(c); h.PushPerIP != nil {
		if ok, wait := h.PushPerIP.Allow(s.clientIP(c)); !ok {
			return s.writeError(c, oauth.TooManyRequests("too many pushed authorization requests from this address; retry later", wait))
		}
	}
	if len(c.Request().Body()) > maxPushedRequest {
		return s.writeError(c, oauth.HTTPStatus(fiber.StatusRequestEntityTooLarge, "The request is too large."))
	}
	params, e := formParams(c)
	if e != nil {
		return s.writeError(c, e)
	}
	resp, e := p.Push(c.UserContext(), &oauth.PushRequest{Params: params, Client: credentials(c, params),
		Transport: s.transport(c)})
	if e != nil {
		return s.writeError(c, e)
	}
	if resp.DPoPNonce != "" {
		c.Set(dpop.HeaderNonce, resp.DPoPNonce) // the next nonce, RFC 9449 §8.2
	}
	return c.Status(fiber.StatusCreated).JSON(resp)
}
