package interaction

import (
	"net/http"
	"time"

	"github.com/assentry/assentry/store"
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
	// UILocales (the flow's ui_locales) and UserLocale (the signed-in user's locale claim) pick the page's
	// language before the browser's Accept-Language does (themes.Theme.Locale).
	UILocales  string
	UserLocale string
}

// redirect is a 303 to location (RFC 9110 §15.4.4: the browser follows it with GET).
func redirect(location string) *Step { return &Step{Location: location} }

// page renders template with p and status.
func page(template string, status int, p *themes.Page) *Step {
	return &Step{Template: template, Page: p, Status: status}
}

// errorPage is the themed error page of a protocol error: its code, explained in words by the theme's catalog,
// and its (English) description as the detail.
func errorPage(status int, code, desc string, ret *themes.Link) *Step {
	return page("error", status, &themes.Page{Error: &themes.Error{Code: code, Description: desc}, Return: ret})
}

// messagePage is the themed error page with one of the server's own messages (a themes.Msg key).
func messagePage(status int, code, key string) *Step {
	return page("error", status, &themes.Page{Error: &themes.Error{Code: code, Key: key}})
}

// unknownInteraction: the interaction id is unknown, expired, finished, or from another browser.
func unknownInteraction() *Step {
	return messagePage(http.StatusBadRequest, "invalid_request", themes.MsgUnknownInteraction)
}

// localized records what picks the language of st's page: the interaction's ui_locales and the user's locale.
func localized(st *Step, ix *store.Interaction, u *store.User) *Step {
	if st == nil {
		return nil
	}
	if ix != nil {
		st.UILocales = ix.UILocales
	}
	if u != nil {
		st.UserLocale = u.Locale
	}
	return st
}
