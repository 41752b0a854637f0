package oauth

import "net/http"

// RFC 8628 §3.5: the answers to a device polling the token endpoint.
const (
	CodeAuthorizationPending = "authorization_pending"
	CodeSlowDown             = "slow_down"
	CodeExpiredToken         = "expired_token"
)

// AuthorizationPending: the user has not yet approved or denied the device authorization (RFC 8628 §3.5).
func AuthorizationPending() *Error {
	return newErr(CodeAuthorizationPending, http.StatusBadRequest, "the user has not yet approved the request")
}

// SlowDown: the device polls faster than its interval, which is raised by 5 seconds (RFC 8628 §3.5).
func SlowDown() *Error {
	return newErr(CodeSlowDown, http.StatusBadRequest, "polling too fast: wait the interval, now 5 seconds longer, between requests")
}

// ExpiredToken: the device code expired before the user approved it (RFC 8628 §3.5).
func ExpiredToken() *Error {
	return newErr(CodeExpiredToken, http.StatusBadRequest, "the device code has expired; start again")
}
