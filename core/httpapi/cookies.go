package httpapi

import (
	"time"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/session"
	"github.com/gofiber/fiber/v2"
)

// Cookie names. On https hosts they carry the __Host- prefix: Secure, Path=/, no Domain, so neither a sibling
// subdomain nor a network attacker on http can set them.
const (
	sessionCookie = "assentry_session"
	csrfCookie    = "assentry_csrf"
)

func cookieName(h *Host, base string) string {
	if h.secure() {
		return "__Host-" + base
	}
	return base
}

func setCookie(c *fiber.Ctx, h *Host, base, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{Name: cookieName(h, base), Value: value, Path: "/", HTTPOnly: true, Secure: h.secure(),
		SameSite: fiber.CookieSameSiteLaxMode}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge / time.Second)
	}
	c.Cookie(ck)
}

func clearCookie(c *fiber.Ctx, h *Host, base string) {
	c.Cookie(&fiber.Cookie{Name: cookieName(h, base), Value: "", Path: "/", HTTPOnly: true, Secure: h.secure(),
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0)})
}

// csrfToken returns the browser's CSRF value, issuing a cookie for it when there is none yet.
func csrfToken(c *fiber.Ctx, h *Host) string {
	if v, ok := c.Locals("assentry.csrf").(string); ok {
		return v
	}
	v := c.Cookies(cookieName(h, csrfCookie))
	if len(v) != 43 {
		v = session.NewCSRF()
		setCookie(c, h, csrfCookie, v, 0)
	}
	c.Locals("assentry.csrf", v)
	return v
}

// checkCSRF verifies the form's CSRF field against the cookie (double submit).
func checkCSRF(c *fiber.Ctx, h *Host) error {
	if !session.CheckCSRF(c.Cookies(cookieName(h, csrfCookie)), c.FormValue(session.CSRFField)) {
		return oauth.InvalidRequest("This form has expired or was not sent from this site. Go back, reload the page and try again.").
			WithStatus(fiber.StatusForbidden)
	}
	return nil
}
