package httpapi

import (
	"bytes"

	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// basePage fills what every template receives (docs/architecture.md §6) and makes sure the browser has a CSRF cookie.
func (s *Server) basePage(c *fiber.Ctx, h *Host) *themes.Page {
	return &themes.Page{
		SiteName:  h.SiteName,
		Host:      h.Issuer.Host,
		Locale:    "en",
		ShowLogos: h.ShowLogos,
		CSRF:      themes.CSRF{Field: session.CSRFField, Value: csrfToken(c, h)},
	}
}

// render executes a template into a buffer first, so a failing template never sends half a page.
func (s *Server) render(c *fiber.Ctx, h *Host, name string, p *themes.Page, status int) error {
	var buf bytes.Buffer
	if err := h.Theme.Render(&buf, name, p); err != nil {
		s.log.Error("template failed", "template", name, "err", err, "request_id", requestIDOf(c))
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(fiber.StatusInternalServerError).SendString("500 Internal Server Error: the page could not be rendered\n")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(buf.Bytes())
}
