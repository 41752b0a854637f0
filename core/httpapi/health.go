package httpapi

import (
	"errors"

	"github.com/assentry/assentry/store"
	"github.com/gofiber/fiber/v2"
)

// healthz reports that the process serves requests.
func (s *Server) healthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString("ok\n")
}

// readyz reports whether the server can do its work: its store answers and accepts writes. While the store
// refuses writes (store.ErrUnavailable: its disk is nearly full) the answer says so, in the store's own words,
// which carry no path; the store logged the refusal once when it began, so it is not logged again at every poll.
// Any other failure is logged, and the answer stays generic (its details may name files).
func (s *Server) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if s.ready != nil {
		if err := s.ready(c.UserContext()); err != nil {
			if errors.Is(err, store.ErrUnavailable) {
				return c.Status(fiber.StatusServiceUnavailable).SendString("not ready: " + err.Error() + "\n")
			}
			s.log.Warn("not ready", "err", err)
			return c.Status(fiber.StatusServiceUnavailable).SendString("not ready\n")
		}
	}
	return c.SendString("ready\n")
}
