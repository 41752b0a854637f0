package httpapi

import (
	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// introspect serves POST /oauth2/introspect (RFC 7662): an authenticated confidential client learns whether a
// token is active, and if so its metadata; anything else is {"active": false}.
func (s *Server) introspect(c *fiber.Ctx) error {
	p, err := oauthProvider(c)
	if err != nil {
		return err
	}
	params, e := formParams(c)
	if e != nil {
		return s.writeOAuthError(c, e)
	}
	resp, e := p.Introspect(c.UserContext(), &oauth.IntrospectionRequest{Params: params, Client: credentials(c, params)})
	if e != nil {
		return s.writeOAuthError(c, e)
	}
	return writeJSON(c, resp)
}
