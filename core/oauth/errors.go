package oauth

import (
	"errors"
	"time"
)

// Error is the one error of the protocol surface: every refusal or failure of the authorization, token,
// revocation, introspection, registration and userinfo endpoints is an *Error, and one writer in the HTTP layer
// answers it. It carries what the answer needs:
//
//   - Code and Description: the "error" and "error_description" members (RFC 6749 §4.1.2.1, §5.2; RFC 6750
//     §3; RFC 7591 §3.2.2). Code is empty only for the bare Bearer challenge of a request without any token
//     (RFC 6750 §3.1, MissingToken), which is answered without a body. The description says what is wrong
//     without quoting the request ("unsupported response_type", never the value sent), and keeps to
//     %x20-21 / %x23-5B / %x5D-7E (RFC 6749 §5.2): the constructors and every writer apply CleanDescription.
//   - Status: the HTTP status it is answered with.
//   - Field: the request parameter or metadata member at fault ("" when none), for callers and tests; the
//     description already names it for the client.
//   - a WWW-Authenticate challenge (Challenge), a Retry-After delay (RetryAfter), and a private cause that is
//     logged and never sent (Unwrap).
//
// Whether an authorization error is shown on a page or redirected to the client is not a property of the error
// but of how far the request got, so it stays with the authorization endpoint: ParseAuthorize wraps the *Error
// in a *ShowError or a *RedirectError, which also carry what a redirect needs (client, redirect URI, state).
//
// Errors are built by the constructors (errors_*.go), fresh each time; none is a shared value, so the With
// methods may change the one they are called on.
type Error struct {
	Code        string
	Description string
	Status      int
	Field       string

	challenge  *challenge
	retryAfter time.Duration
	dpopNonce  string // sent in DPoP-Nonce (errors_dpop.go)
	cause      error
}

func (e *Error) Error() string {
	code := e.Code
	if code == "" {
		code = "no access token"
	}
	if e.Description == "" {
		return code
	}
	return code + ": " + e.Description
}

// Unwrap returns the cause, for logging and errors.Is; it is never sent.
func (e *Error) Unwrap() error { return e.cause }

// WithCause attaches an internal cause (logged, not sent).
func (e *Error) WithCause(err error) *Error { e.cause = err; return e }

// WithStatus answers e with another status, for a refusal whose code fits but whose HTTP answer differs (a
// form without its CSRF token is invalid_request, answered 403).
func (e *Error) WithStatus(status int) *Error { e.Status = status; return e }

// WithRetryAfter asks the client to wait d before retrying (RFC 9110 §10.2.3), for 429 and 503 answers.
func (e *Error) WithRetryAfter(d time.Duration) *Error { e.retryAfter = d; return e }

// RetryAfter is the delay to send in Retry-After; 0 means none.
func (e *Error) RetryAfter() time.Duration { return e.retryAfter }

// ServerFailure reports whether e is the server's fault (a 5xx): its cause is logged and the client sees only a
// generic description.
func (e *Error) ServerFailure() bool { return e.Status >= 500 || e.Code == CodeServerError }

// newErr is what every constructor builds on. The description is cleaned here (CleanDescription), so that no
// *Error a constructor returns carries a character RFC 6749 §5.2 forbids in error_description.
func newErr(code string, status int, desc string) *Error {
	return &Error{Code: code, Description: CleanDescription(desc), Status: status}
}

// AsError returns err as an *Error, turning anything else into a server failure that keeps it as the cause
// (ServerError: 503 when the store is closed, else 500).
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ServerError(err)
}
