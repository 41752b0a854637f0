package httpapi

import (
	"errors"

	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// logoutPage is the confirmation step of the one logout implementation (DESIGN.md §5): GET never ends a
// session (a cross-site image or link could), it shows a form that POSTs with the CSRF token.
func (s *Server) logoutPage(c *fiber.Ctx) error {
	h := hostOf(c)
	p := s.basePage(c, h)
	p.Title = "Sign out"
	_, u, err := h.Sessions.Lookup(c.UserContext(), c.Cookies(cookieName(h, sessionCookie)))
	switch {
	case err == nil:
		p.User = &themes.User{Username: u.Username, Name: u.Name}
	case errors.Is(err, session.ErrNoSession):
		p.Extra = map[string]any{"done": true}
	default:
		return err
	}
	return s.render(c, h, "logout", p, fiber.StatusOK)
}

// logoutSubmit ends the session and clears its cookie.
func (s *Server) logoutSubmit(c *fiber.Ctx) error {
	h := hostOf(c)
	if err := checkForm(c); err != nil {
		return err
	}
	if err := checkCSRF(c, h); err != nil {
		return err
	}
	if err := h.Sessions.End(c.UserContext(), c.Cookies(cookieName(h, sessionCookie))); err != nil {
		return err
	}
	clearCookie(c, h, sessionCookie)
	return c.Redirect("/logout", fiber.StatusSeeOther)
}
