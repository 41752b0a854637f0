package httpapi

import (
	"strings"

	"github.com/assentry/assentry/core/interaction"
	"github.com/gofiber/fiber/v2"
)

// The account page (/account) is decided by core/interaction; these handlers check the form (media type and CSRF
// field, as every page form), copy what it carries and write the Step.

// accountPage shows the signed-in user's account page (GET /account), or sends the browser to sign in.
func (s *Server) accountPage(c *fiber.Ctx) error {
	h := hostOf(c)
	q := interaction.AccountQuery{Done: strings.Clone(c.Query("done")), N: strings.Clone(c.Query("n")),
		UILocales: strings.Clone(c.Query("ui_locales"))}
	st, err := h.Flow.AccountPage(c.UserContext(), q, s.browserOf(c, h))
	return s.writeStep(c, h, st, err)
}

// accountRevoke ends the user's authorization of one client (POST /account/revoke, field client_id).
func (s *Server) accountRevoke(c *fiber.Ctx) error {
	h := hostOf(c)
	if err := checkFormPost(c, h); err != nil {
		return err
	}
	st, err := h.Flow.AccountRevoke(c.UserContext(), strings.Clone(c.FormValue("client_id")), s.browserOf(c, h))
	return s.writeStep(c, h, st, err)
}

// accountSessions signs the user out everywhere but this browser (POST /account/sessions).
func (s *Server) accountSessions(c *fiber.Ctx) error {
	h := hostOf(c)
	if err := checkFormPost(c, h); err != nil {
		return err
	}
	st, err := h.Flow.AccountSignOutOthers(c.UserContext(), s.browserOf(c, h))
	return s.writeStep(c, h, st, err)
}

// accountPassword changes the user's password (POST /account/password).
func (s *Server) accountPassword(c *fiber.Ctx) error {
	h := hostOf(c)
	if err := checkFormPost(c, h); err != nil {
		return err
	}
	f := interaction.PasswordForm{Current: strings.Clone(c.FormValue("current_password")),
		New: strings.Clone(c.FormValue("new_password")), Confirm: strings.Clone(c.FormValue("confirm_password"))}
	st, err := h.Flow.AccountPassword(c.UserContext(), f, s.browserOf(c, h))
	return s.writeStep(c, h, st, err)
}
