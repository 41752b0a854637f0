package httpapi

import (
	"slices"
	"strings"

	"github.com/assentry/assentry/core/dpop"
	"github.com/gofiber/fiber/v2"
)

// cors answers CORS for the JSON endpoints (token, revoke, introspect, userinfo, jwks, register, discovery:
// docs/architecture.md §5) from the host's cors_origins. Credentials are never allowed: these endpoints authenticate by
// headers or body, not cookies. A preflight from an origin not on the list gets no CORS headers, so the browser refuses
// it.
func cors(allowMethods string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := hostOf(c)
		origin := c.Get(fiber.HeaderOrigin)
		allowed := origin != "" && (slices.Contains(h.CORSOrigins, "*") || slices.ContainsFunc(h.CORSOrigins,
			func(o string) bool { return strings.EqualFold(o, origin) }))
		c.Vary(fiber.HeaderOrigin)
		if allowed {
			c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
			// A browser client reads the server's DPoP nonce from the answers (RFC 9449 §8).
			c.Set(fiber.HeaderAccessControlExposeHeaders, dpop.HeaderNonce+", "+fiber.HeaderWWWAuthenticate)
		}
		if c.Method() != fiber.MethodOptions {
			return c.Next()
		}
		if allowed {
			c.Set(fiber.HeaderAccessControlAllowMethods, allowMethods)
			c.Set(fiber.HeaderAccessControlAllowHeaders, "Authorization, Content-Type, "+dpop.HeaderName)
			c.Set(fiber.HeaderAccessControlMaxAge, "7200")
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
