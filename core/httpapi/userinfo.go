package httpapi

import (
	"strings"

	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// userinfo is the UserInfo endpoint (OIDC Core §5.3): GET or POST, with the access token in the Authorization
// header or, for POST, in a form body (RFC 6750 §2.1, §2.2). Errors follow RFC 6750 §3.
func (s *Server) userinfo(c *fiber.Ctx) error {
	h := hostOf(c)
	token, scheme, e := presentedToken(c)
	if e == nil {
		var claims map[string]any
		var nonce string
		pr := oauth.Presented{Scheme: scheme, Transport: s.transport(c)}
		if claims, nonce, e = h.UserInfo.ClaimsPresented(c.UserContext(), token, pr); e == nil {
			if nonce != "" {
				c.Set(dpop.HeaderNonce, nonce) // the next nonce, RFC 9449 §8.2
			}
			return c.JSON(claims)
		}
	}
	return s.writeError(c, e)
}

// bearerToken takes the access token from the header or a form body; both at once is invalid_request (RFC
// 6750 §2: a client MUST NOT use more than one method).
func bearerToken(c *fiber.Ctx) (string, *oauth.Error) {
	var header string
	if auth := c.Get(fiber.HeaderAuthorization); len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") {
		header = strings.TrimSpace(auth[7:])
	}
	var body string
	if c.Method() == fiber.MethodPost && strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationForm) {
		body = c.FormValue("access_token")
	}
	if header != "" && body != "" {
		return "", oauth.InvalidBearerRequest("the access token was sent both in the header and in the body")
	}
	return strings.Clone(header + body), nil
}
