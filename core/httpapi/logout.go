package httpapi

import (
	"errors"
	"strings"

	"github.com/assentry/assentry/core/interaction"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/oidc"
	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// The one logout implementation, behind /logout and RP-initiated logout at /oauth2/logout (docs/architecture.md §5):
// GET never ends a session (a cross-site image or link could), it shows a confirmation that POSTs with the
// CSRF token; the relying party's parameters travel through the form.

// logoutRequest reads the RP-Initiated Logout parameters from the query (GET) or the form (POST).
func logoutRequest(c *fiber.Ctx, get func(string, ...string) string) oidc.LogoutRequest {
	return oidc.LogoutRequest{
		IDTokenHint: strings.Clone(get("id_token_hint")), ClientID: strings.Clone(get("client_id")),
		PostLogoutRedirectURI: strings.Clone(get("post_logout_redirect_uri")), State: strings.Clone(get("state")),
		UILocales: strings.Clone(get("ui_locales")),
	}
}

// logoutPlan validates the relying party's parameters; a bad request is shown, never redirected.
func (s *Server) logoutPlan(c *fiber.Ctx, h *Host, r oidc.LogoutRequest) (*oidc.LogoutPlan, error) {
	plan, err := h.RPLogout.Plan(c.UserContext(), r)
	var le *oidc.LogoutError
	if errors.As(err, &le) {
		return nil, oauth.InvalidRequest(le.Description)
	}
	return plan, err
}

// logoutPage asks for confirmation, or says the user is signed out.
func (s *Server) logoutPage(c *fiber.Ctx) error {
	h := hostOf(c)
	r := logoutRequest(c, c.Query)
	plan, err := s.logoutPlan(c, h, r)
	if err != nil {
		return err
	}
	_, u, err := h.Sessions.Lookup(c.UserContext(), c.Cookies(cookieName(h, sessionCookie)))
	if err != nil && !errors.Is(err, session.ErrNoSession) {
		return err
	}
	if u == nil && plan.Redirect != "" {
		return c.Redirect(plan.Redirect, fiber.StatusSeeOther) // nothing to sign out of
	}
	p := s.basePage(c, h)
	userLocale := ""
	if u != nil {
		userLocale = u.Locale
	}
	p.Locale = pageLocale(c, h, r.UILocales, userLocale) // OIDC RP-Initiated Logout 1.0 §2: ui_locales
	p.Action = c.Path()
	p.Client = interaction.PageClient(plan.Client)
	if u == nil {
		p.Extra = map[string]any{"done": true}
		return s.render(c, h, "logout", p, fiber.StatusOK)
	}
	p.User = &themes.User{Username: u.Username, Name: u.Name}
	p.Extra = map[string]any{"id_token_hint": r.IDTokenHint, "client_id": r.ClientID,
		"post_logout_redirect_uri": r.PostLogoutRedirectURI, "state": r.State}
	return s.render(c, h, "logout", p, fiber.StatusOK)
}

// logoutSubmit ends the session, clears its cookie and returns to the relying party when it asked to.
func (s *Server) logoutSubmit(c *fiber.Ctx) error {
	h := hostOf(c)
	if err := checkFormPost(c, h); err != nil {
		return err
	}
	plan, err := s.logoutPlan(c, h, logoutRequest(c, c.FormValue))
	if err != nil {
		return err
	}
	if err := h.Sessions.End(c.UserContext(), c.Cookies(cookieName(h, sessionCookie))); err != nil {
		return err
	}
	clearCookie(c, h, sessionCookie)
	if plan.Redirect != "" {
		return c.Redirect(plan.Redirect, fiber.StatusSeeOther)
	}
	return c.Redirect("/logout", fiber.StatusSeeOther)
}
