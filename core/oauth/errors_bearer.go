package oauth

import "net/http"

// Errors of a protected resource, the UserInfo endpoint (OIDC Core §5.3), per RFC 6750 §3: each carries a
// Bearer challenge naming the host's realm, with the error code and description as auth-params (§3.1) except
// when the request carried no token at all.

// MissingToken: the request carried no access token. RFC 6750 §3.1: the resource server SHOULD NOT include an
// error code or other error information, so the answer is 401 with a bare `Bearer realm="..."` challenge and no
// JSON body (Code is empty).
func MissingToken() *Error {
	return newErr("", http.StatusUnauthorized, "").withChallenge(SchemeBearer, true, "")
}

// MissingTokenDPoP is MissingToken at a resource that also takes DPoP-bound tokens: the Bearer challenge and a
// DPoP one naming the accepted proof algorithms (RFC 9449 §7.1: `DPoP algs="..."`), so that a client learns it
// may present its token either way.
func MissingTokenDPoP() *Error {
	e := MissingToken()
	e.challenge.also = &challenge{scheme: SchemeDPoP, realm: true, params: dpopChallengeParams("", "")}
	return e
}

// InvalidToken: the access token is unknown, expired, revoked or of the wrong kind (401, RFC 6750 §3.1).
func InvalidToken(desc string) *Error {
	return newErr(CodeInvalidToken, http.StatusUnauthorized, desc).
		withChallenge(SchemeBearer, true, errorParams(CodeInvalidToken, desc))
}

// InsufficientScope: the access token lacks a scope the resource needs (403, RFC 6750 §3.1).
func InsufficientScope(desc string) *Error {
	return newErr(CodeInsufficientScope, http.StatusForbidden, desc).
		withChallenge(SchemeBearer, true, errorParams(CodeInsufficientScope, desc))
}

// InvalidBearerRequest: a malformed request to a protected resource, such as a token sent both in the header and
// in the body (400 invalid_request with the Bearer challenge, RFC 6750 §2, §3.1).
func InvalidBearerRequest(desc string) *Error {
	return newErr(CodeInvalidRequest, http.StatusBadRequest, desc).
		withChallenge(SchemeBearer, true, errorParams(CodeInvalidRequest, desc))
}
