package httpapi

import (
	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// revoke serves POST /oauth2/revoke (RFC 7009). Success is 200 with an empty body (§2.2), also for a token
// that is unknown or already dead; another client's token is 400 unauthorized_client (DESIGN.md §5).
func (s *Server) revoke(c *fiber.Ctx) error {
	p, err := oauthProvider(c)
	if err != nil {
		return err
	}
	params, e := formParams(c)
	if e != nil {
		return s.writeOAuthError(c, e)
	}
	if e := p.Revoke(c.UserContext(), &oauth.RevocationRequest{Params: params, Client: credentials(c, params)}); e != nil {
		return s.writeOAuthError(c, e)
	}
	// Status, not SendStatus: fiber would fill the empty body with "OK".
	noStore(c)
	c.Status(fiber.StatusOK)
	return nil
}
