package registration

import (
	"errors"
	"fmt"
)

// Error codes of a refused registration (RFC 7591 §3.2.2).
const (
	CodeInvalidRedirectURI    = "invalid_redirect_uri"
	CodeInvalidClientMetadata = "invalid_client_metadata"
)

// Error is a refused registration: the RFC 7591 §3.2.2 code, the metadata member at fault (Field, "" when the
// metadata as a whole is) and a description for the developer that names it. It is answered with 400.
type Error struct {
	Code        string
	Field       string
	Description string
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

// invalidMetadata is invalid_client_metadata about field; the description starts with the field's name.
func invalidMetadata(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalidClientMetadata, Field: field, Description: describe(field, format, args...)}
}

// invalidRedirect is invalid_redirect_uri (RFC 7591 §3.2.2: "the value of one or more redirection URIs is
// invalid"); it is used for redirect_uris only.
func invalidRedirect(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidRedirectURI, Field: fieldRedirectURIs, Description: describe(fieldRedirectURIs, format, args...)}
}

func describe(field, format string, args ...any) string {
	msg := fmt.Sprintf(format, args...)
	if field == "" {
		return msg
	}
	return field + ": " + msg
}

// Errors of client lookups and of the revocation list. Lookups of a client_id that is not a valid registered
// id of this host also wrap oauth.ErrClientNotFound, so the flows treat it as any unknown client.
var (
	// ErrNotRegistered: the id is not a client_id registered on this host with its current key (bad shape,
	// signature, algorithm or issuer; or, with registration.ttl, expired).
	ErrNotRegistered = errors.New("not a client_id registered on this host")
	// ErrRevoked: the client is on the host's revocation list.
	ErrRevoked = errors.New("the registered client is revoked")
)
