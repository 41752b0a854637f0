package oauth

import (
	"net/http"
	"strings"
)

// Error codes (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1; RFC 7009 §2.2.1; RFC 7591 §3.2.2; OIDC Core §3.1.2.6).
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
	CodeInvalidToken            = "invalid_token"
	CodeInsufficientScope       = "insufficient_scope"
	CodeInvalidRedirectURI      = "invalid_redirect_uri"
	CodeInvalidClientMetadata   = "invalid_client_metadata"
	CodeInvalidTarget           = "invalid_target" // RFC 8707 §2
)

// InvalidRequest: a missing, invalid or repeated parameter.
func InvalidRequest(desc string) *Error {
	return newErr(CodeInvalidRequest, http.StatusBadRequest, desc)
}

// InvalidClient: client authentication failed (401, RFC 6749 §5.2). clientauth.go adds the Basic challenge
// when the client tried HTTP Basic.
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

// InvalidTarget: a resource indicator is malformed, unknown, not allowed to the client, refused by a policy, or
// outside the grant's (RFC 8707 §2, §2.2).
func InvalidTarget(desc string) *Error { return newErr(CodeInvalidTarget, http.StatusBadRequest, desc) }

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

// HTTPStatus is a refusal of the HTTP layer that no OAuth code names (not found, method not allowed, body too
// large): the code is the status text in snake case ("method_not_allowed"), so its JSON answer keeps the one
// {"error","error_description"} shape.
func HTTPStatus(status int, desc string) *Error {
	code := strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	if code == "" {
		code = CodeServerError
	}
	return newErr(code, status, desc)
}
