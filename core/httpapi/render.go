package httpapi

import (
	"bytes"

	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// accountPath is where users see and revoke the applications they authorized; pages link to it.
const accountPath = "/account"

// basePage fills what every template receives (docs/architecture.md §6) and makes sure the browser has a CSRF
// cookie. Its locale is the browser's Accept-Language's; pages of a flow or of a signed-in user pick theirs with
// pageLocale.
func (s *Server) basePage(c *fiber.Ctx, h *Host) *themes.Page {
	return &themes.Page{
		SiteName:   h.SiteName,
		Host:       h.Issuer.Host,
		Locale:     pageLocale(c, h, "", ""),
		ShowLogos:  h.ShowLogos,
		CSRF:       themes.CSRF{Field: session.CSRFField, Value: csrfToken(c, h)},
		Logo:       h.Logo,
		TermsURL:   h.TermsURL,
		PolicyURL:  h.PolicyURL,
		SupportURL: h.SupportURL,
		AccountURL: h.AccountURL,
		RequestID:  requestIDOf(c),
	}
}

// pageLocale is the language of a page: the flow's ui_locales, then the user's stored locale, then the
// browser's Accept-Language, among the theme's catalogs (themes.Theme.Locale).
func pageLocale(c *fiber.Ctx, h *Host, uiLocales, userLocale string) string {
	return h.Theme.Locale(uiLocales, userLocale, c.Get(fiber.HeaderAcceptLanguage))
}

// sessionLocale is the stored locale of the browser's signed-in user, for a page that no core step chose the
// language of (an error page); "" when the browser has no live session or the lookup fails, which leaves the
// page to Accept-Language rather than failing a page that is already an error.
func (s *Server) sessionLocale(c *fiber.Ctx, h *Host) string {
	cookie := c.Cookies(cookieName(h, sessionCookie))
	if cookie == "" {
		return ""
	}
	_, u, err := h.Sessions.Lookup(c.UserContext(), cookie)
	if err != nil {
		return ""
	}
	return u.Locale
}

// withBase completes a page a core service built with what every page carries (basePage).
func withBase(p *themes.Page, base *themes.Page) {
	p.SiteName, p.Host, p.Locale, p.ShowLogos, p.CSRF = base.SiteName, base.Host, base.Locale, base.ShowLogos, base.CSRF
	p.Logo, p.TermsURL, p.PolicyURL, p.SupportURL, p.AccountURL = base.Logo, base.TermsURL, base.PolicyURL, base.SupportURL, base.AccountURL
	p.RequestID = base.RequestID
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
