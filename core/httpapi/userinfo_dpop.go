package httpapi

import (
	"strings"

	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// presentedToken takes the access token of a request to a protected resource and the scheme it came under: a
// `DPoP` Authorization header (RFC 9449 §7.1, header only), or else as bearerToken does (RFC 6750 §2).
func presentedToken(c *fiber.Ctx) (string, string, *oauth.Error) {
	const prefix = oauth.SchemeDPoP + " "
	if auth := c.Get(fiber.HeaderAuthorization); len(auth) > len(prefix) && strings.EqualFold(auth[:len(prefix)], prefix) {
		if c.Method() == fiber.MethodPost && c.FormValue("access_token") != "" {
			return "", "", oauth.DPoPResourceError(oauth.InvalidBearerRequest("the access token was sent both in the header and in the body"))
		}
		return strings.Clone(strings.TrimSpace(auth[len(prefix):])), oauth.SchemeDPoP, nil
	}
	token, e := bearerToken(c)
	return token, oauth.SchemeBearer, e
}
