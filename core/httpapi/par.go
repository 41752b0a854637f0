package httpapi

import (
	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// maxPushedRequest bounds the body of a pushed authorization request, which is kept in the store until it is
// used: twice what an authorization URL may carry (readBufferSize), far above any real request. Beyond it the
// answer is 413 (RFC 9126 §2.3).
const maxPushedRequest = 2 * readBufferSize

// pushedAuthorizationRequest serves POST /oauth2/par (RFC 9126 §2): the form is parsed and the client's
// credentials copied as at the token endpoint; the core authenticates, validates and stores the request. Success
// is 201 with the request_uri (§2.2); errors are JSON (§2.3), invalid_client with 401 and WWW-Authenticate as at
// the token endpoint (writeError).
func (s *Server) pushedAuthorizationRequest(c *fiber.Ctx) error {
	p, err := oauthProvider(c)
	if err != nil {
		return err
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
	noStore(c)
	if resp.DPoPNonce != "" {
		c.Set(dpop.HeaderNonce, resp.DPoPNonce) // the next nonce, RFC 9449 §8.2
	}
	return c.Status(fiber.StatusCreated).JSON(resp)
}
