package httpapi

import (
	"strings"

	"github.com/assentry/assentry/core/interaction"
	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// loginPage shows the login form (GET /login), or the signed-in page when opened directly with a live session.
func (s *Server) loginPage(c *fiber.Ctx) error {
	h := hostOf(c)
	st, err := h.Flow.LoginPage(c.UserContext(), strings.Clone(c.Query("interaction")), strings.Clone(c.Query("login_hint")),
		strings.Clone(c.Query("next")), s.browserOf(c, h))
	return s.writeStep(c, h, st, err)
}

// loginSubmit takes the login form (POST /login) once its media type and CSRF field are checked.
func (s *Server) loginSubmit(c *fiber.Ctx) error {
	h := hostOf(c)
	if err := checkFormPost(c, h); err != nil {
		return err
	}
	f := interaction.LoginForm{Interaction: strings.Clone(c.FormValue("interaction")),
		Username: strings.Clone(c.FormValue("username")), Password: strings.Clone(c.FormValue("password")),
		Next: strings.Clone(c.Query("next"))}
	st, err := h.Flow.Login(c.UserContext(), f, s.browserOf(c, h))
	return s.writeStep(c, h, st, err)
}

// checkFormPost checks a page's form submission: a form body (checkForm) carrying the CSRF field that matches
// the browser's cookie (checkCSRF).
func checkFormPost(c *fiber.Ctx, h *Host) error {
	if err := checkForm(c); err != nil {
		return err
	}
	return checkCSRF(c, h)
}

// checkForm requires a form body (RFC 6749 §3.2 uses the same media type for the token endpoint).
func checkForm(c *fiber.Ctx) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, fiber.MIMEApplicationForm) {
		return oauth.InvalidRequest("The form must be sent as application/x-www-form-urlencoded.")
	}
	return nil
}
