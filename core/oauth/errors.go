package oauth

import (
	"errors"
	"net/http"
	"time"
)

// Error is an RFC 6749 error (§4.1.2.1, §5.2) with the HTTP status it is answered with. Cause is logged, never
// sent. Errors are built by the constructors below, fresh each time; none is a shared value.
type Error struct {
	Code        string
	Description string
	Status      int
	// RetryAfter, when positive, is how long the client should wait before trying again: the HTTP layer sends
	// it as Retry-After in whole seconds, rounded up (RFC 9110 §10.2.3). Set by RateLimited.
	RetryAfter time.Duration
	cause      error
}

func (e *Error) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// Unwrap returns the cause, for logging.
func (e *Error) Unwrap() error { return e.cause }

// WithCause attaches an internal cause (logged, not sent).
func (e *Error) WithCause(err error) *Error { e.cause = err; return e }

func newErr(code string, status int, desc string) *Error {
	return &Error{Code: code, Description: desc, Status: status}
}

// Error codes (RFC 6749 §4.1.2.1, §5.2; RFC 7009 §2.2.1; OIDC Core §3.1.2.6).
const (
	CodeInvalidRequest          = "invalid_request"
	CodeInvalidClient           = "invalid_client"
	CodeInvalidGrant            = "invalid_grant"
	CodeUnauthorizedClient      = "unauthorized_client"
	CodeUnsupportedGrantType    = "unsupported_grant_type"
	CodeUnsupportedResponseType = "unsupported_response_type"
	CodeInvalidScope            = "invalid_scope"
	CodeAccessDenied            = "access_denied"
	CodeServerError             = "server_error"
	CodeTemporarilyUnavailable  = "temporarily_unavailable"
	CodeLoginRequired           = "login_required"
	CodeConsentRequired         = "consent_required"
	CodeRequestNotSupported     = "request_not_supported"
	CodeRequestURINotSupported  = "request_uri_not_supported"
)

// InvalidRequest: a missing, invalid or repeated parameter.
func InvalidRequest(desc string) *Error {
	return newErr(CodeInvalidRequest, http.StatusBadRequest, desc)
}

// InvalidClient: client authentication failed (401; the HTTP layer adds WWW-Authenticate when Basic was tried).
func InvalidClient(desc string) *Error {
	return newErr(CodeInvalidClient, http.StatusUnauthorized, desc)
}

// InvalidGrant: the code or refresh token is invalid, expired, revoked, used or not the client's.
func InvalidGrant(desc string) *Error { return newErr(CodeInvalidGrant, http.StatusBadRequest, desc) }

// UnauthorizedClient: the client may not use this grant or response type (or revoke that token).
func UnauthorizedClient(desc string) *Error {
	return newErr(CodeUnauthorizedClient, http.StatusBadRequest, desc)
}

// UnsupportedGrantType: the server does not serve the grant type.
func UnsupportedGrantType(desc string) *Error {
	return newErr(CodeUnsupportedGrantType, http.StatusBadRequest, desc)
}

// UnsupportedResponseType: the server does not serve the response type.
func UnsupportedResponseType(desc string) *Error {
	return newErr(CodeUnsupportedResponseType, http.StatusBadRequest, desc)
}

// InvalidScope: the requested scope is invalid or exceeds what was granted.
func InvalidScope(desc string) *Error { return newErr(CodeInvalidScope, http.StatusBadRequest, desc) }

// AccessDenied: the user or a policy denied the request.
func AccessDenied(desc string) *Error { return newErr(CodeAccessDenied, http.StatusBadRequest, desc) }

// LoginRequired: prompt=none but the user is not signed in (OIDC Core §3.1.2.6).
func LoginRequired(desc string) *Error { return newErr(CodeLoginRequired, http.StatusBadRequest, desc) }

// ConsentRequired: prompt=none but consent is needed (OIDC Core §3.1.2.6).
func ConsentRequired(desc string) *Error {
	return newErr(CodeConsentRequired, http.StatusBadRequest, desc)
}

// RequestNotSupported: the request parameter (OIDC Core §6) is not supported.
func RequestNotSupported() *Error {
	return newErr(CodeRequestNotSupported, http.StatusBadRequest, "request objects are not supported")
}

// RequestURINotSupported: the request_uri parameter (OIDC Core §6) is not supported.
func RequestURINotSupported() *Error {
	return newErr(CodeRequestURINotSupported, http.StatusBadRequest, "request_uri is not supported")
}

// TemporarilyUnavailable: rate limited or overloaded.
func TemporarilyUnavailable(desc string) *Error {
	return newErr(CodeTemporarilyUnavailable, http.StatusServiceUnavailable, desc)
}

// RateLimited: too many failed attempts from this address or for this username (the password grant, which
// shares the login page's limiters). It is answered as every rate-limited JSON endpoint is: 429 with
// Retry-After and temporarily_unavailable (RFC 6749 §5.2 defines no token-endpoint code for it; this is the
// authorization endpoint's code for the same condition, §4.1.2.1).
func RateLimited(desc string, wait time.Duration) *Error {
	e := newErr(CodeTemporarilyUnavailable, http.StatusTooManyRequests, desc)
	e.RetryAfter = wait
	return e
}

// ServerError wraps an unexpected failure; only a generic description is sent.
func ServerError(cause error) *Error {
	return newErr(CodeServerError, http.StatusInternalServerError, "the server could not complete the request").WithCause(cause)
}

// AsError returns err as an *Error, turning anything else into a server_error that keeps it as the cause.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ServerError(err)
}
