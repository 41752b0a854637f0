package httpapi

import (
	"strings"

	"github.com/assentry/assentry/core/interaction"
	"github.com/gofiber/fiber/v2"
)

// consentPage shows the consent step of an interaction (GET /consent?interaction=ID).
func (s *Server) consentPage(c *fiber.Ctx) error {
	h := hostOf(c)
	st, err := h.Flow.ConsentPage(c.UserContext(), strings.Clone(c.Query("interaction")), s.browserOf(c, h))
	return s.writeStep(c, h, st, err)
}

// consentSubmit takes the user's decision (POST /consent): consent=granted with the scopes left checked, or
// consent=denied.
func (s *Server) consentSubmit(c *fiber.Ctx) error {
	h := hostOf(c)
	if err := checkFormPost(c, h); err != nil {
		return err
	}
	f := interaction.ConsentForm{Interaction: strings.Clone(c.FormValue("interaction")),
		Decision: strings.Clone(c.FormValue("consent"))}
	for _, v := range c.Request().PostArgs().PeekMulti("scope") {
		f.Scopes = append(f.Scopes, string(v))
	}
	st, err := h.Flow.Consent(c.UserContext(), f, s.browserOf(c, h))
	return s.writeStep(c, h, st, err)
}
