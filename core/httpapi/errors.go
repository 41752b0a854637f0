package httpapi

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// Every error a handler returns is answered here: as JSON by writeError at the JSON endpoints, as the themed
// error page everywhere else. Whatever the handler returned is first made an *oauth.Error (errorOf), so the
// status, the logging of server failures and the generic description they get are decided in one place.

// pageError is an error shown on the themed error page with a link back to the client's site: an authorization
// error of an untrusted client before the user authenticated (RFC 9700 §4.11.2), or one of the out-of-band
// redirect, which has nowhere to go.
type pageError struct {
	err *oauth.Error
	ret *themes.Link
}

func (e *pageError) Error() string { return e.err.Error() }

// Unwrap returns the *oauth.Error shown.
func (e *pageError) Unwrap() error { return e.err }

// handleError writes the answer for an error a handler returned: themed pages for people, JSON under /oauth2/
// for programs. Anything that is not an *oauth.Error is a server failure (oauth.AsError): logged, and answered
// with a generic description carrying the request id.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	e, ret := errorOf(err)
	h, ok := c.Locals(localsHost).(*Host)
	if !ok || apiPath(c.Path()) {
		return s.writeError(c, e)
	}
	pe := &themes.Error{Code: e.Code, Description: e.Description}
	if e.ServerFailure() {
		s.logFailure(c, e)
		// The cause stays in the log; the page shows the request id (.RequestID) to quote to support.
		pe = &themes.Error{Code: e.Code, Key: themes.MsgServerFailure}
	}
	// No WWW-Authenticate on a page: a browser would answer a Basic challenge with a password dialog.
	setRetryAfter(c, e)
	page := s.basePage(c, h)
	userLocale := ""
	if !e.ServerFailure() && e.Status != fiber.StatusTooManyRequests {
		// Not when the store may be what failed, nor for a flood of requests: Accept-Language decides then.
		userLocale = s.sessionLocale(c, h)
	}
	// ui_locales: an authorization request shown as a page.
	page.Locale = pageLocale(c, h, c.Query("ui_locales"), userLocale)
	page.Error = pe
	page.Return = ret
	return s.render(c, h, "error", page, answerStatus(e))
}

// errorOf makes the error a handler returned an *oauth.Error, with the return link of a pageError. fiber's own
// errors (404, 405, 413) become oauth.HTTPStatus.
func errorOf(err error) (*oauth.Error, *themes.Link) {
	var pe *pageError
	var fe *fiber.Error
	switch {
	case errors.As(err, &pe):
		return pe.err, pe.ret
	case errors.As(err, &fe):
		desc := fe.Message
		if fe.Code == fiber.StatusRequestEntityTooLarge {
			desc = "The request is too large."
		}
		return oauth.HTTPStatus(fe.Code, desc), nil
	}
	return oauth.AsError(err), nil
}

// logFailure logs a server failure with its cause, which the client never sees, and the request id, which it
// does.
func (s *Server) logFailure(c *fiber.Ctx, e *oauth.Error) {
	var cause error = e
	if e.Unwrap() != nil {
		cause = e.Unwrap()
	}
	s.log.Error("request failed", "err", cause, "code", e.Code, "status", answerStatus(e), "path", c.Path(),
		"request_id", requestIDOf(c))
}

// answerStatus is the status e is answered with: its own, or 400 should it not be an error status.
func answerStatus(e *oauth.Error) int {
	if e.Status < 400 || e.Status > 599 {
		return fiber.StatusBadRequest
	}
	return e.Status
}

// setRetryAfter sends e's Retry-After in whole seconds, rounded up (RFC 9110 §10.2.3).
func setRetryAfter(c *fiber.Ctx, e *oauth.Error) {
	if d := e.RetryAfter(); d > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(d.Seconds()))))
	}
}

// apiPath reports whether a path is a JSON endpoint (its errors are JSON); the authorization and logout
// endpoints are browser pages under /oauth2/ and show their errors as pages.
func apiPath(path string) bool {
	return strings.HasPrefix(path, "/oauth2/") && path != "/oauth2/authorize" && path != "/oauth2/logout"
}
