package oauth

import (
	"net/http"
	"time"
)

// Failures of the server, and answers that ask the client to come back later. A store or plugin failure is
// always a failure of the server (a 5xx), never a 4xx that blames the client.

// ServerError wraps an unexpected failure; only a generic description is sent and the cause is logged.
func ServerError(cause error) *Error {
	return newErr(CodeServerError, http.StatusInternalServerError, "the server could not complete the request").WithCause(cause)
}

// TemporarilyUnavailable: 503, overloaded or in maintenance, with no cause to log.
func TemporarilyUnavailable(desc string) *Error {
	return newErr(CodeTemporarilyUnavailable, http.StatusServiceUnavailable, desc)
}

// TooManyRequests: the client is rate limited (429, RFC 6585 §4) and may retry after wait.
func TooManyRequests(desc string, wait time.Duration) *Error {
	return newErr(CodeTemporarilyUnavailable, http.StatusTooManyRequests, desc).WithRetryAfter(wait)
}
