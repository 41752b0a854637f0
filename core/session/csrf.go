package session

import "crypto/subtle"

// CSRFField is the form field name every form carries.
const CSRFField = "csrf_token"

// CSRF protection is a double-submit token: a random value in its own HttpOnly, SameSite=Lax cookie (with the
// __Host- prefix on https, so a sibling subdomain cannot plant one) that every form repeats in CSRFField. A
// cross-site form post can neither read the cookie nor set it. It works before login too, which protects the
// login form against login CSRF.

// NewCSRF returns a fresh token value for the cookie and the forms.
func NewCSRF() string { return NewSecret() }

// CheckCSRF reports whether the form value matches the cookie value (constant time; both must be present).
func CheckCSRF(cookie, form string) bool {
	if cookie == "" || form == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(cookie), []byte(form)) == 1
}
