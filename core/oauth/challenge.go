package oauth

import "strings"

// Authentication schemes of WWW-Authenticate challenges.
const (
	SchemeBasic  = "Basic"  // RFC 7617: client_secret_basic (RFC 6749 §2.3.1)
	SchemeBearer = "Bearer" // RFC 6750 §3: access tokens and the initial access token (RFC 7591 §3)
	SchemeDPoP   = "DPoP"   // RFC 9449 §7.1: DPoP-bound access tokens
)

// challenge is the WWW-Authenticate challenge an error is answered with (RFC 7235 §2.1, §4.1): the scheme,
// whether it names the host as its realm, and its other auth-params, rendered when the error is built. The
// realm itself is given when the challenge is rendered: it is the host's issuer, which the HTTP layer knows and
// the constructors do not.
type challenge struct {
	scheme string
	realm  bool
	params string
	// also is a further challenge sent in the same header (RFC 9110 §11.6.1: a list of challenges), nil for none.
	also *challenge
}

// withChallenge sets e's challenge.
func (e *Error) withChallenge(scheme string, realm bool, params string) *Error {
	e.challenge = &challenge{scheme: scheme, realm: realm, params: params}
	return e
}

// Challenge returns the WWW-Authenticate value e is answered with, naming realm where the challenge has one, or
// "" when e has no challenge: `Basic realm="id.example"`, `Bearer realm="id.example"`,
// `Bearer realm="id.example", error="invalid_token", error_description="..."`.
func (e *Error) Challenge(realm string) string {
	if e == nil || e.challenge == nil {
		return ""
	}
	var out []string
	for c := e.challenge; c != nil; c = c.also {
		out = append(out, c.render(realm))
	}
	return strings.Join(out, ", ")
}

// render is one challenge of the header.
func (c *challenge) render(realm string) string {
	var params []string
	if c.realm {
		params = append(params, "realm="+quoted(realm))
	}
	if c.params != "" {
		params = append(params, c.params)
	}
	if len(params) == 0 {
		return c.scheme
	}
	return c.scheme + " " + strings.Join(params, ", ")
}

// errorParams renders the error and error_description auth-params of a Bearer challenge (RFC 6750 §3).
func errorParams(code, desc string) string {
	p := "error=" + quoted(code)
	if desc != "" {
		p += ", error_description=" + quoted(desc)
	}
	return p
}

// quoted returns s as a quoted-string (RFC 9110 §5.6.4) holding only what RFC 6750 §3 allows in error and
// error_description values (%x20-21 / %x23-5B / %x5D-7E), cleaned by CleanDescription, so no description can
// break the header.
func quoted(s string) string { return `"` + CleanDescription(s) + `"` }
