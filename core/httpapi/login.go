package httpapi

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// maxCredentialLen bounds what is hashed: argon2id cost grows with the input, and nobody's password is longer.
const maxCredentialLen = 1024

// loginPage shows the login form, or the signed-in page when /login is opened directly with a live session.
// A flow sends the browser here with ?interaction=ID (never a raw return URL, so the page cannot be turned
// into an open redirect).
func (s *Server) loginPage(c *fiber.Ctx) error {
	h := hostOf(c)
	if id := c.Query("interaction"); id != "" {
		ix, err := s.interactionOf(c, h, id)
		if err != nil {
			return err
		}
		p, err := s.loginForm(c, h, ix, ix.LoginHint)
		if err != nil {
			return err
		}
		return s.render(c, h, "login", p, fiber.StatusOK)
	}
	_, u, err := h.Sessions.Lookup(c.UserContext(), c.Cookies(cookieName(h, sessionCookie)))
	switch {
	case err == nil:
		return s.renderSignedIn(c, h, u.Username, u.Name)
	case !errors.Is(err, session.ErrNoSession):
		return err
	}
	p, _ := s.loginForm(c, h, nil, c.Query("login_hint"))
	return s.render(c, h, "login", p, fiber.StatusOK)
}

// loginForm is the login page's data; with an interaction it names the client the user signs in for.
func (s *Server) loginForm(c *fiber.Ctx, h *Host, ix *store.Interaction, username string) (*themes.Page, error) {
	p := s.basePage(c, h)
	p.Title = "Sign in"
	p.Action = "/login"
	p.Username = username
	if ix != nil {
		p.Interaction = ix.ID
		client, err := h.OAuth.Clients.Get(c.UserContext(), ix.ClientID)
		if err != nil {
			return nil, errUnknownInteraction()
		}
		p.Client = pageClient(client)
	}
	return p, nil
}

// errUnknownInteraction: the interaction id is unknown, expired, finished, or from another browser.
func errUnknownInteraction() error {
	return showError(fiber.StatusBadRequest, "invalid_request",
		"This sign-in request is unknown or has expired. Go back to the application and start again.")
}

func (s *Server) renderSignedIn(c *fiber.Ctx, h *Host, username, name string) error {
	p := s.basePage(c, h)
	p.Title = "Signed in"
	p.User = &themes.User{Username: username, Name: name}
	return s.render(c, h, "signed_in", p, fiber.StatusOK)
}

// loginSubmit checks the CSRF token, the rate limits, then the password, and starts a new session.
func (s *Server) loginSubmit(c *fiber.Ctx) error {
	h := hostOf(c)
	if err := checkForm(c); err != nil {
		return err
	}
	if err := checkCSRF(c, h); err != nil {
		return err
	}
	var ix *store.Interaction
	if id := c.FormValue("interaction"); id != "" {
		var err error
		if ix, err = s.interactionOf(c, h, id); err != nil {
			return err
		}
	}
	username := strings.Clone(c.FormValue("username"))
	password := strings.Clone(c.FormValue("password"))
	ip := s.clientIP(c)
	userKey := h.Accounts.LimiterKey(username)

	// Rate limits first: a limited attempt costs no argon2id work and reveals nothing about the password.
	if wait := max(h.LoginPerIP.Wait(ip), h.LoginPerUser.Wait(userKey)); wait > 0 {
		return s.loginTooMany(c, h, ix, username, wait)
	}
	if username == "" || password == "" || len(username) > maxCredentialLen || len(password) > maxCredentialLen {
		return s.loginFailed(c, h, ix, username, "Enter your username and password.")
	}
	u, err := h.Accounts.Authenticate(c.UserContext(), username, password)
	switch {
	case errors.Is(err, account.ErrInvalidCredentials):
		h.LoginPerIP.Spend(ip)
		h.LoginPerUser.Spend(userKey)
		s.log.Info("login failed", "host", h.ID, "ip", ip, "request_id", requestIDOf(c))
		return s.loginFailed(c, h, ix, username, "The username or password is not correct.")
	case errors.Is(err, account.ErrDisabled):
		return s.loginFailed(c, h, ix, username, "This account is disabled.")
	case err != nil:
		return err
	}
	cookie, _, err := h.Sessions.Start(c.UserContext(), u.ID, []string{"pwd"}, c.Cookies(cookieName(h, sessionCookie)))
	if err != nil {
		return err
	}
	s.log.Info("login", "host", h.ID, "user_id", u.ID, "ip", ip, "request_id", requestIDOf(c))
	if cookie != "" {
		setCookie(c, h, sessionCookie, cookie, h.Sessions.TTL())
	} else {
		clearCookie(c, h, sessionCookie)
	}
	if ix != nil {
		// The password was entered for this request: that satisfies prompt=login and max_age.
		if err := h.OAuth.LoggedIn(c.UserContext(), ix, u.ID); err != nil {
			return err
		}
		return s.advance(c, h, ix, false)
	}
	if cookie == "" {
		// session_ttl 0: nothing is remembered, so there is no session to come back to.
		return s.renderSignedIn(c, h, u.Username, u.Name)
	}
	// Post/Redirect/Get: a reload does not post the password again.
	return c.Redirect("/login", fiber.StatusSeeOther)
}

func (s *Server) loginFailed(c *fiber.Ctx, h *Host, ix *store.Interaction, username, msg string) error {
	p, err := s.loginForm(c, h, ix, username)
	if err != nil {
		return err
	}
	p.Error = &themes.Error{Code: "access_denied", Description: msg}
	return s.render(c, h, "login", p, fiber.StatusUnauthorized)
}

func (s *Server) loginTooMany(c *fiber.Ctx, h *Host, ix *store.Interaction, username string, wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	p, err := s.loginForm(c, h, ix, username)
	if err != nil {
		return err
	}
	p.Title = "Too many attempts"
	p.RetryAfter = secs
	p.Error = &themes.Error{Code: "temporarily_unavailable",
		Description: "Too many failed sign-in attempts. Try again in " + strconv.Itoa(secs) + " seconds."}
	return s.render(c, h, "login", p, fiber.StatusTooManyRequests)
}

// checkForm requires a form body (RFC 6749 §3.2 uses the same media type for the token endpoint).
func checkForm(c *fiber.Ctx) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, fiber.MIMEApplicationForm) {
		return showError(fiber.StatusBadRequest, "invalid_request", "The form must be sent as application/x-www-form-urlencoded.")
	}
	return nil
}
