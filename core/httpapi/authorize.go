package httpapi

import (
	"net/url"

	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// authorize is the authorization endpoint (RFC 6749 §3.1): GET with a query, or POST with a form (OIDC Core
// §3.1.2.1). core/interaction validates the request, records it bound to this browser and says where it goes:
// the login page, the consent page, back to the client, or an error page.
func (s *Server) authorize(c *fiber.Ctx) error {
	h := hostOf(c)
	var raw string
	if c.Method() == fiber.MethodPost {
		if err := checkForm(c); err != nil {
			return err
		}
		raw = string(c.Body())
	} else {
		raw = string(c.Request().URI().QueryString())
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return oauth.InvalidRequest("The request's parameters cannot be decoded.")
	}
	st, err := h.Flow.Authorize(c.UserContext(), values, s.browserOf(c, h))
	return s.writeStep(c, h, st, err)
}

// preflightRefused answers a CORS preflight to the authorization endpoint: it is a browser navigation, never a
// cross-origin call.
func preflightRefused(c *fiber.Ctx) error {
	return c.Status(fiber.StatusForbidden).SendString("")
}
