package interaction

import (
	"net/http"
	"time"

	"github.com/assentry/assentry/themes"
)

// Browser is what a step needs of the browser's request.
type Browser struct {
	// CSRF is the browser's CSRF cookie value: an interaction is bound to the browser by its digest, and it keys
	// the per-browser limits.
	CSRF string
	// Session is the login session cookie value ("" when absent).
	Session string
	// Addr is the client's address after trusted_proxies: the per-address limits key on it.
	Addr string
}

// Step is what the browser gets next: a redirect (Location set) or a page (Template rendered with Page and
// Status). The HTTP layer completes Page with what every page carries (site name, CSRF field, locale).
type Step struct {
	Location string
	Template string
	// Fallback is rendered instead when the theme has no Template (a consent policy may name one).
	Fallback string
	Page     *themes.Page
	Status   int
	// RetryAfter, when positive, is sent as the Retry-After header (429 pages).
	RetryAfter int
	// NewSession, when set, is the login session cookie to set for SessionTTL; ClearSession removes it.
	NewSession   string
	SessionTTL   time.Duration
	ClearSession bool
}

// redirect is a 303 to location (RFC 9110 §15.4.4: the browser follows it with GET).
func redirect(location string) *Step { return &Step{Location: location} }

// page renders template with p and status.
func page(template string, status int, p *themes.Page) *Step {
	return &Step{Template: template, Page: p, Status: status}
}

// errorPage is the themed error page with an error code and a description for people.
func errorPage(status int, code, desc string, ret *themes.Link) *Step {
	return page("error", status, &themes.Page{Title: "Error", Error: &themes.Error{Code: code, Description: desc}, Return: ret})
}

// unknownInteraction: the interaction id is unknown, expired, finished, or from another browser.
func unknownInteraction() *Step {
	return errorPage(http.StatusBadRequest, "invalid_request",
		"This sign-in request is unknown or has expired. Go back to the application and start again.", nil)
}
