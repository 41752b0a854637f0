package httpapi

import "github.com/gofiber/fiber/v2"

// healthz reports that the process serves requests.
func (s *Server) healthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString("ok\n")
}

// readyz reports whether the server can do its work (its store answers).
func (s *Server) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if s.ready != nil {
		if err := s.ready(c.UserContext()); err != nil {
			s.log.Warn("not ready", "err", err)
			return c.Status(fiber.StatusServiceUnavailable).SendString("not ready\n")
		}
	}
	return c.SendString("ready\n")
}
