package httpapi

import (
	"errors"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// consentPage shows the consent step of an interaction. It re-runs the decision, so a consent that became
// unnecessary (or a session that ended) sends the browser on instead.
func (s *Server) consentPage(c *fiber.Ctx) error {
	h := hostOf(c)
	ix, err := s.interactionOf(c, h, c.Query("interaction"))
	if err != nil {
		return err
	}
	return s.advance(c, h, ix, true)
}

// renderConsent shows the consent form with the scopes offered, each checked.
func (s *Server) renderConsent(c *fiber.Ctx, h *Host, ix *store.Interaction, step *oauth.Step) error {
	p := s.basePage(c, h)
	p.Title = "Authorize " + step.Client.Name
	p.Client = pageClient(step.Client)
	p.User = &themes.User{Username: step.User.Username, Name: step.User.Name}
	p.Interaction = ix.ID
	p.Action = "/consent"
	template := "consent"
	var descriptions map[string]string
	if pg := step.Page; pg != nil {
		// What a consent policy added: notices, extra data, scope texts, and another template of the theme
		// (per-client branding); page strings are escaped by the template engine.
		p.Notices, p.Extra, descriptions = pg.Notices, pg.Extra, pg.ScopeDescriptions
		if pg.Template != "" && h.Theme.Has(pg.Template) {
			template = pg.Template
		} else if pg.Template != "" {
			s.log.Warn("consent policy named a template the theme does not have", "template", pg.Template, "host", h.ID)
		}
	}
	for _, name := range step.Offered {
		info, _ := h.OAuth.Scopes.Lookup(name)
		if d, ok := descriptions[name]; ok {
			info.Description = d
		}
		p.Scopes = append(p.Scopes, themes.Scope{Name: name, Title: info.Title, Description: info.Description, Checked: true})
	}
	return s.render(c, h, template, p, fiber.StatusOK)
}

// consentSubmit takes the user's decision: consent=granted with the scopes left checked, or consent=denied.
func (s *Server) consentSubmit(c *fiber.Ctx) error {
	h := hostOf(c)
	if err := checkForm(c); err != nil {
		return err
	}
	if err := checkCSRF(c, h); err != nil {
		return err
	}
	ix, err := s.interactionOf(c, h, c.FormValue("interaction"))
	if err != nil {
		return err
	}
	// The decision must come from the user the interaction is for: the one who logged in during it, or the
	// one whose session it was advanced with, and whose session is still the browser's.
	if !ix.LoggedIn {
		st, _, err := h.Sessions.Lookup(c.UserContext(), c.Cookies(cookieName(h, sessionCookie)))
		if errors.Is(err, session.ErrNoSession) || (err == nil && st.UserID != ix.UserID) {
			return s.advance(c, h, ix, false)
		}
		if err != nil {
			return err
		}
	}
	var approve bool
	switch c.FormValue("consent") {
	case "granted":
		approve = true
	case "denied":
	default:
		return oauth.InvalidRequest("Choose Allow or Deny.")
	}
	var checked []string
	for _, v := range c.Request().PostArgs().PeekMulti("scope") {
		checked = append(checked, string(v))
	}
	step, err := h.OAuth.Decide(c.UserContext(), ix, approve, checked)
	return s.followStep(c, h, ix, step, err)
}
