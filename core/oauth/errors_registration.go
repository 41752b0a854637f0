package oauth

import "net/http"

// Errors of dynamic client registration (RFC 7591 §3.2.2). A refused registration is 400 with the code and a
// description that names the metadata member at fault, which Field also holds.

// fieldRedirectURIs is the metadata member invalid_redirect_uri is about (RFC 7591 §2).
const fieldRedirectURIs = "redirect_uris"

// InvalidRedirectURI: "the value of one or more redirection URIs is invalid" (RFC 7591 §3.2.2); Field is
// redirect_uris.
func InvalidRedirectURI(desc string) *Error {
	e := newErr(CodeInvalidRedirectURI, http.StatusBadRequest, desc)
	e.Field = fieldRedirectURIs
	return e
}

// InvalidClientMetadata: "the value of one of the client metadata fields is invalid" (RFC 7591 §3.2.2); field
// is the member at fault, "" when the metadata as a whole is.
func InvalidClientMetadata(field, desc string) *Error {
	e := newErr(CodeInvalidClientMetadata, http.StatusBadRequest, desc)
	e.Field = field
	return e
}

// RegistrationRefused is a registration a policy rejected with its own code, which RFC 7591 §3.2.2 allows
// beyond the two above (invalid_software_statement, say); an empty code is invalid_client_metadata.
func RegistrationRefused(code, desc string) *Error {
	if code == "" {
		code = CodeInvalidClientMetadata
	}
	return newErr(code, http.StatusBadRequest, desc)
}

// InvalidInitialAccessToken: registration needs the initial access token as a Bearer token (RFC 7591 §3), and
// the request lacked it or sent another; missing and wrong are both invalid_token (RFC 6750 §3.1), 401. The
// challenge names the error only, `Bearer error="invalid_token"`: the registration endpoint is no protected
// resource with a realm of its own.
func InvalidInitialAccessToken(desc string) *Error {
	return newErr(CodeInvalidToken, http.StatusUnauthorized, desc).
		withChallenge(SchemeBearer, false, errorParams(CodeInvalidToken, ""))
}
