package httpapi

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Observer is told of every answered request, for metrics. The HTTP layer does not import a metrics library: a
// metrics package implements this interface and the composition root hands it in through Options. It runs on
// every request: it must be fast, must not block and must be safe for concurrent use.
type Observer interface {
	// ObserveRequest reports one answer: the id of the host it was for (HostUnknown when the Host header names
	// none of them), the route pattern that answered it (EndpointOther when none did), its exact status code,
	// and the time from the request's arrival at the middleware to the answer being ready to send.
	ObserveRequest(host, endpoint string, status int, took time.Duration)
}

// Label values of requests that match no configured host, or no route. Both keep the metrics' label sets bounded
// by the configuration and the routes, whatever clients send.
const (
	HostUnknown   = "unknown"
	EndpointOther = "other"
)

// observe reports each request to the Observer once its answer is written. An error a handler returned is
// handed to the error handler here (as accessLog does), so the status reported is the one sent.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if herr := s.handleError(c, err); herr != nil {
			s.log.Error("error handler failed", "err", herr)
		}
	}
	s.obs.ObserveRequest(s.hostLabel(c), endpointLabel(c), c.Response().StatusCode(), time.Since(start))
	return nil
}

// hostLabel is the id of the host a request was routed to; for the probes, which answer before routing, the
// host its Host header names; else HostUnknown.
func (s *Server) hostLabel(c *fiber.Ctx) string {
	if h, ok := c.Locals(localsHost).(*Host); ok {
		return h.ID
	}
	if h, ok := s.table.Load().byName[strings.ToLower(string(c.Request().Host()))]; ok {
		return h.ID
	}
	return HostUnknown
}

// endpointLabel is the pattern of the route that answered: after c.Next returns, c.Route is the last route
// that ran. An answer from middleware (host routing's 421 or 307, the final 404) is marked by noEndpoint: its
// route is a middleware's, whose pattern "/" is no endpoint (fiber does not say which routes are middleware).
func endpointLabel(c *fiber.Ctx) string {
	if c.Locals(localsNoEndpoint) != nil {
		return EndpointOther
	}
	return c.Route().Path
}

const localsNoEndpoint = "assentry.no-endpoint"

// noEndpoint marks an answer given by middleware rather than by a route's handler.
func noEndpoint(c *fiber.Ctx) { c.Locals(localsNoEndpoint, true) }
