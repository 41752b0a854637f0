package httpapi

import (
	"strconv"
	"strings"

	"github.com/assentry/assentry/core/oidc"
	"github.com/gofiber/fiber/v2"
)

// userinfo is the UserInfo endpoint (OIDC Core §5.3): GET or POST, with the access token in the Authorization
// header or, for POST, in a form body (RFC 6750 §2.1, §2.2). Errors follow RFC 6750 §3.
func (s *Server) userinfo(c *fiber.Ctx) error {
	h := hostOf(c)
	token, berr := bearerToken(c)
	if berr == nil {
		var claims map[string]any
		claims, berr = h.UserInfo.Claims(c.UserContext(), token)
		if berr == nil {
			return c.JSON(claims)
		}
	}
	challenge := `Bearer realm=` + strconv.Quote(h.Issuer.Host)
	if berr.Code != "" {
		challenge += `, error="` + berr.Code + `", error_description=` + strconv.Quote(berr.Description)
	}
	c.Set(fiber.HeaderWWWAuthenticate, challenge)
	if berr.Code == "" {
		return c.SendStatus(berr.Status) // §3.1: no error information when no token was sent
	}
	return c.Status(berr.Status).JSON(fiber.Map{"error": berr.Code, "error_description": berr.Description})
}

// bearerToken takes the access token from the header or a form body; both at once is invalid_request (RFC
// 6750 §2: a client MUST NOT use more than one method).
func bearerToken(c *fiber.Ctx) (string, *oidc.BearerError) {
	var header string
	if auth := c.Get(fiber.HeaderAuthorization); len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") {
		header = strings.TrimSpace(auth[7:])
	}
	var body string
	if c.Method() == fiber.MethodPost && strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationForm) {
		body = c.FormValue("access_token")
	}
	if header != "" && body != "" {
		return "", oidc.InvalidRequest("the access token was sent both in the header and in the body")
	}
	return strings.Clone(header + body), nil
}
