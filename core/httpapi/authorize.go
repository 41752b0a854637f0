package httpapi

import (
	"errors"
	"net/url"
	"strings"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// authorize is the authorization endpoint (RFC 6749 §3.1): GET with a query, or POST with a form (OIDC Core
// §3.1.2.1). The request is validated, recorded as an interaction bound to this browser, and advanced: to the
// login page, the consent page, or straight back to the client with a code.
func (s *Server) authorize(c *fiber.Ctx) error {
	h := hostOf(c)
	var raw string
	if c.Method() == fiber.MethodPost {
		if err := checkForm(c); err != nil {
			return err
		}
		raw = string(c.Body())
	} else {
		raw = string(c.Request().URI().QueryString())
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return oauth.InvalidRequest("The request's parameters cannot be decoded.")
	}
	params, perr := oauth.ParseParams(values)
	if perr != nil {
		return perr
	}
	r, err := h.OAuth.ParseAuthorize(c.UserContext(), params)
	if err != nil {
		return s.authorizeFailure(c, h, err, false)
	}
	ix, err := h.OAuth.StartInteraction(c.UserContext(), r, csrfToken(c, h))
	if err != nil {
		return err
	}
	return s.advance(c, h, ix, false)
}

// advance moves an interaction on with the browser's login session. A consent step is rendered only on the
// consent page itself (onConsentPage); elsewhere the browser is sent there, so a reload never re-posts a form.
func (s *Server) advance(c *fiber.Ctx, h *Host, ix *store.Interaction, onConsentPage bool) error {
	var sess *oauth.Session
	if !ix.LoggedIn {
		st, _, err := h.Sessions.Lookup(c.UserContext(), c.Cookies(cookieName(h, sessionCookie)))
		switch {
		case err == nil:
			sess = &oauth.Session{UserID: st.UserID, AuthTime: st.AuthTime}
		case !errors.Is(err, session.ErrNoSession):
			return err
		}
	}
	step, err := h.OAuth.Advance(c.UserContext(), ix, sess)
	if err == nil && step.Kind == oauth.StepConsent && !onConsentPage {
		return c.Redirect("/consent?interaction="+url.QueryEscape(ix.ID), fiber.StatusSeeOther)
	}
	return s.followStep(c, h, ix, step, err)
}

// followStep sends the browser where the flow goes next.
func (s *Server) followStep(c *fiber.Ctx, h *Host, ix *store.Interaction, step *oauth.Step, err error) error {
	if err != nil {
		return s.authorizeFailure(c, h, err, ix.UserID != "")
	}
	switch step.Kind {
	case oauth.StepLogin:
		return c.Redirect("/login?interaction="+url.QueryEscape(ix.ID), fiber.StatusSeeOther)
	case oauth.StepConsent:
		return s.renderConsent(c, h, ix, step)
	}
	if step.Code != "" {
		p := s.basePage(c, h)
		p.Title = "Authorization code"
		p.Client = pageClient(step.Client)
		p.Code = step.Code
		return s.render(c, h, "oob", p, fiber.StatusOK)
	}
	return c.Redirect(step.Location, fiber.StatusSeeOther)
}

// authorizeFailure delivers an authorization error. Errors found before the client and its redirect URI were
// verified are shown; later ones are redirected with error, state and iss, except that an untrusted client
// gets a page with a link back while the user has not authenticated (RFC 9700 §4.11.2), unless the request
// was prompt=none, which must always answer by redirect.
func (s *Server) authorizeFailure(c *fiber.Ctx, h *Host, err error, authenticated bool) error {
	var se *oauth.ShowError
	var re *oauth.RedirectError
	switch {
	case errors.As(err, &se):
		return se.Err // shown by handleError, which logs a server failure and hides its description
	case errors.Is(err, oauth.ErrUnknownInteraction):
		return errUnknownInteraction()
	case !errors.As(err, &re):
		return err
	}
	if re.RedirectURI == oauth.OOBRedirect ||
		(re.Client.Untrusted && !authenticated && !oauth.HasPrompt(re.Prompt, oauth.PromptNone)) {
		return &pageError{err: re.Err, ret: returnLink(re.Client, re.RedirectURI)}
	}
	return c.Redirect(h.OAuth.ErrorLocation(re), fiber.StatusSeeOther)
}

// returnLink points back to the client's site: its client_uri, else the origin of its redirect URI.
func returnLink(client *store.Client, redirect string) *themes.Link {
	target := client.ClientURI
	if target == "" {
		u, err := url.Parse(redirect)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil
		}
		target = u.Scheme + "://" + u.Host + "/"
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil
	}
	return &themes.Link{URL: target, Text: "Return to " + u.Host}
}

func pageClient(c *store.Client) *themes.Client {
	if c == nil {
		return nil
	}
	return &themes.Client{ID: c.ID, Name: c.Name, URI: c.ClientURI, LogoURI: c.LogoURI, TOSURI: c.TOSURI, PolicyURI: c.PolicyURI}
}

// preflightRefused answers a CORS preflight to the authorization endpoint: it is a browser navigation, never a
// cross-origin call (DESIGN.md §5).
func preflightRefused(c *fiber.Ctx) error {
	return c.Status(fiber.StatusForbidden).SendString("")
}

// interactionOf loads the interaction a form or link names, bound to this browser.
func (s *Server) interactionOf(c *fiber.Ctx, h *Host, id string) (*store.Interaction, error) {
	ix, err := h.OAuth.LoadInteraction(c.UserContext(), strings.Clone(id), c.Cookies(cookieName(h, csrfCookie)))
	if errors.Is(err, oauth.ErrUnknownInteraction) {
		return nil, errUnknownInteraction()
	}
	return ix, err
}
