package httpapi

import "github.com/gofiber/fiber/v2"

// metadata serves the RFC 8414 authorization server metadata. It holds no secret, so it may be cached briefly.
func (s *Server) metadata(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Response().Header.Del(fiber.HeaderPragma)
	return c.JSON(hostOf(c).OAuth.Metadata())
}
