package oauth

import (
	"errors"
	"net/http"
	"time"

	"github.com/assentry/assentry/store"
)

// Failures of the server, and answers that ask the client to come back later. A store or plugin failure is
// always a failure of the server (a 5xx), never a 4xx that blames the client.
//
// Which code: RFC 6749 defines server_error and temporarily_unavailable only for the authorization endpoint
// (§4.1.2.1), where a redirect has no status to carry the failure; §5.2 (token endpoint), RFC 7009, RFC 7662,
// RFC 7591 and RFC 6750 define no code for a failing server. Assentry uses the same pair at every endpoint so the
// code always agrees with the status: 500 is server_error, and 503 and 429 are temporarily_unavailable, which
// already answers a rate-limited registration and which RFC 6749 §4.1.2.1 defines as "temporarily unable to
// handle the request ... due to a temporary overloading or maintenance". A client that knows only §5.2 acts on
// the status (and Retry-After) either way.

// UnavailableRetry is the Retry-After of an answer while the store is unavailable: long enough not to hammer a
// restarting server, short enough for a client to recover from a restart without a person.
const UnavailableRetry = 5 * time.Second

// ServerError wraps an unexpected failure; only a generic description is sent and the cause is logged. A cause
// that is a closed store (store.ErrClosed: shutting down or restarting) or a store that could not make a write
// durable (store.ErrUnavailable: a failed sync) is Unavailable instead: 503 with Retry-After, since retrying soon
// may well succeed.
func ServerError(cause error) *Error {
	if errors.Is(cause, store.ErrClosed) || errors.Is(cause, store.ErrUnavailable) {
		return Unavailable(cause)
	}
	return newErr(CodeServerError, http.StatusInternalServerError, "the server could not complete the request").WithCause(cause)
}

// Unavailable is a 503 temporarily_unavailable with Retry-After (UnavailableRetry): the server cannot serve now,
// because of cause, but will soon.
func Unavailable(cause error) *Error {
	return newErr(CodeTemporarilyUnavailable, http.StatusServiceUnavailable, "the server is temporarily unavailable").
		WithRetryAfter(UnavailableRetry).WithCause(cause)
}

// TemporarilyUnavailable: 503, overloaded or in maintenance, with no cause to log: a refusal the server decided
// (Deliberate), whose description is sent as it is.
func TemporarilyUnavailable(desc string) *Error {
	return newErr(CodeTemporarilyUnavailable, http.StatusServiceUnavailable, desc)
}

// Deliberate reports a 503 the server chose (TemporarilyUnavailable: a bound reached) rather than one that
// failed (Unavailable, ServerError): it has no cause to log, and its description says what to do.
func (e *Error) Deliberate() bool {
	return e.Status == http.StatusServiceUnavailable && e.Code == CodeTemporarilyUnavailable && e.cause == nil
}

// TooManyRequests: the client is rate limited (429, RFC 6585 §4) and may retry after wait.
func TooManyRequests(desc string, wait time.Duration) *Error {
	return newErr(CodeTemporarilyUnavailable, http.StatusTooManyRequests, desc).WithRetryAfter(wait)
}
