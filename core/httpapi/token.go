package httpapi

import (
	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// token serves POST /oauth2/token (RFC 6749 §3.2): the form is copied into an oauth.TokenRequest, the core
// authenticates the client and runs the grant, and the answer is JSON with Cache-Control: no-store (§5.1).
func (s *Server) token(c *fiber.Ctx) error {
	p, err := oauthProvider(c)
	if err != nil {
		return err
	}
	params, e := formParams(c)
	if e != nil {
		return s.writeOAuthError(c, e)
	}
	resp, e := p.Token(c.UserContext(), &oauth.TokenRequest{Params: params, Client: credentials(c, params)})
	if e != nil {
		return s.writeOAuthError(c, e)
	}
	return writeJSON(c, resp)
}
