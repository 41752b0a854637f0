package httpapi

import (
	"strconv"
	"strings"

	"github.com/assentry/assentry/core/interaction"
	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// The browser flows (authorization, login, consent, device verification) are decided by core/interaction; the
// handlers here copy the request into it and write the Step it returns.

// browserOf copies what the flows need of the browser: its CSRF cookie (made now if absent), its session cookie
// and its address. Copies only: fiber reuses its buffers.
func (s *Server) browserOf(c *fiber.Ctx, h *Host) interaction.Browser {
	return interaction.Browser{CSRF: strings.Clone(csrfToken(c, h)),
		Session: strings.Clone(c.Cookies(cookieName(h, sessionCookie))), Addr: s.clientIP(c)}
}

// writeStep answers with a step: its session cookie change, Retry-After, then the redirect (303) or the page,
// completed with what every page carries. A template the theme lacks (a consent policy may name one) falls back
// to the step's Fallback, logged.
func (s *Server) writeStep(c *fiber.Ctx, h *Host, st *interaction.Step, err error) error {
	if err != nil {
		return err
	}
	switch {
	case st.NewSession != "":
		setCookie(c, h, sessionCookie, st.NewSession, st.SessionTTL)
	case st.ClearSession:
		clearCookie(c, h, sessionCookie)
	}
	if st.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(st.RetryAfter))
	}
	if st.Location != "" {
		return c.Redirect(st.Location, fiber.StatusSeeOther)
	}
	base := s.basePage(c, h)
	userLocale := st.UserLocale
	if userLocale == "" && st.Template == themes.PageError && st.Status < 500 && st.Status != fiber.StatusTooManyRequests {
		userLocale = s.sessionLocale(c, h) // an error of a flow (an unknown interaction) seen by a signed-in user
	}
	base.Locale = pageLocale(c, h, st.UILocales, userLocale)
	p := *st.Page
	withBase(&p, base)
	template := st.Template
	if st.Fallback != "" && !h.Theme.Has(template) {
		s.log.Warn("the theme has no template of this name", "template", template, "host", h.ID)
		template = st.Fallback
	}
	return s.render(c, h, template, &p, st.Status)
}
