package httpapi

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/policy"
	"github.com/gofiber/fiber/v2"
)

const localsRequestID = "assentry.request_id"

// requestID gives every request a fresh random id, sent back in X-Request-ID and logged. An incoming id is not
// trusted (a client could forge log correlation). The id also travels in the request's context, so that the
// audit log's events (events.WithRequestID) and the policy plugins' envelopes (policy.WithRequestID) carry it.
func requestID(c *fiber.Ctx) error {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	c.Locals(localsRequestID, id)
	c.Set(fiber.HeaderXRequestID, id)
	c.SetUserContext(policy.WithRequestID(events.WithRequestID(c.UserContext(), id), id))
	return c.Next()
}

func requestIDOf(c *fiber.Ctx) string {
	id, _ := c.Locals(localsRequestID).(string)
	return id
}

// securityHeaders applies the headers every answer carries (docs/architecture.md §6). Pages and JSON may carry secrets
// (codes, tokens, CSRF values), so nothing is cacheable except static files, which relax it themselves.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	csp := "default-src 'self'"
	if h, ok := c.Locals(localsHost).(*Host); ok {
		// RFC 6797 §7.2: an HSTS host must not send the header over non-secure transport (and §8.1: a UA ignores
		// it there). Set, never added, so the answer carries one header (§8.1: a UA heeds only the first).
		if h.HSTS != "" && s.overTLS(c) {
			c.Set(fiber.HeaderStrictTransportSecurity, h.HSTS)
		}
		if h.SecurityPolicy != "" {
			csp = h.SecurityPolicy
		}
		if h.ShowLogos {
			// Client logos live on the clients' own sites (docs/architecture.md §6).
			csp += "; img-src 'self' https:"
		}
	}
	c.Set(fiber.HeaderContentSecurityPolicy, csp+"; frame-ancestors 'none'")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderPragma, "no-cache")
	return c.Next()
}

// accessLog writes one structured line per request.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Let the error handler write the answer now, so the logged status is the one sent.
		if herr := s.handleError(c, err); herr != nil {
			s.log.Error("error handler failed", "err", herr)
		}
		err = nil
	}
	host := ""
	if h, ok := c.Locals(localsHost).(*Host); ok {
		host = h.ID
	}
	level := slog.LevelInfo
	if c.Response().StatusCode() >= 500 {
		level = slog.LevelError
	}
	s.log.Log(c.UserContext(), level, "request", "method", c.Method(), "path", c.Path(),
		"status", c.Response().StatusCode(), "duration_ms", float64(time.Since(start).Microseconds())/1000,
		"host", host, "ip", s.clientIP(c), "request_id", requestIDOf(c))
	return err
}
