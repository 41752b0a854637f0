package httpapi

import (
	"errors"
	"strings"

	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/store"
	"github.com/gofiber/fiber/v2"
)

// healthz reports that the process serves requests: liveness only, whatever the store, plugins or keys say.
func (s *Server) healthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	s.instanceHeader(c)
	return c.SendString("ok\n")
}

// readyz reports whether the server can do its work: its store answers and accepts writes, no host runs a stale
// plugin (one whose last reload failed), and every host has a key that signs for each algorithm it keeps. Each
// failing check is one line of the 503's body, in words that name a host, a plugin or an algorithm but no file:
// a store refusing writes (store.ErrUnavailable: its disk is nearly full) in the store's own words, which carry
// no path, and a host's problem as its *assembly.NotReadyError says it. Neither is logged here: the store logged
// its refusal once when it began, the policy manager its failed reload. Any other failure is logged, and the
// answer stays generic (its details may name files).
func (s *Server) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	s.instanceHeader(c)
	ctx := c.UserContext()
	var reasons []string
	generic := false
	check := func(err error) {
		var nr *assembly.NotReadyError
		switch {
		case err == nil:
		case errors.Is(err, store.ErrUnavailable):
			reasons = append(reasons, err.Error())
		case errors.As(err, &nr):
			reasons = append(reasons, nr.Error())
		default:
			s.log.Warn("not ready", "err", err)
			generic = true
		}
	}
	if s.ready != nil {
		check(s.ready(ctx))
	}
	for _, h := range s.Hosts() {
		if h.Ready != nil {
			check(h.Ready(ctx))
		}
	}
	switch {
	case len(reasons) > 0:
		return c.Status(fiber.StatusServiceUnavailable).SendString("not ready: " + strings.Join(reasons, "\nnot ready: ") + "\n")
	case generic:
		return c.Status(fiber.StatusServiceUnavailable).SendString("not ready\n")
	}
	return c.SendString("ready\n")
}

// instanceHeader names the instance that answers a probe (Options.Instance), when there is one.
func (s *Server) instanceHeader(c *fiber.Ctx) {
	if s.inst != "" {
		c.Set("Assentry-Instance", s.inst)
	}
}
