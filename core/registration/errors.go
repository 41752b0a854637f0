package registration

import (
	"errors"
	"fmt"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/policy"
)

// A refused registration is an *oauth.Error (RFC 7591 §3.2.2): invalid_redirect_uri or invalid_client_metadata,
// 400, with Field naming the metadata member at fault and a description that starts with it.

// invalidMetadata is invalid_client_metadata about field ("" for the metadata as a whole).
func invalidMetadata(field, format string, args ...any) *oauth.Error {
	return oauth.InvalidClientMetadata(field, describe(field, format, args...))
}

// invalidRedirect is invalid_redirect_uri; it is used for redirect_uris only.
func invalidRedirect(format string, args ...any) *oauth.Error {
	return oauth.InvalidRedirectURI(describe(fieldRedirectURIs, format, args...))
}

func describe(field, format string, args ...any) string {
	msg := fmt.Sprintf(format, args...)
	if field == "" {
		return msg
	}
	return field + ": " + msg
}

// Refused is a registration the validate_registration policy rejected: the *oauth.Error the client is answered
// (Unwrap, so oauth.AsError finds it) and who decided, for the server log.
type Refused struct {
	// DecidedBy is the plugin's name, or policy.DecidedByBuiltin for the built-in policy.
	DecidedBy string
	Err       *oauth.Error
}

func (r *Refused) Error() string { return r.Err.Error() }

// Unwrap returns the protocol error.
func (r *Refused) Unwrap() error { return r.Err }

// DecidedBy names what refused a registration, for the server log: the plugin's name, or for the host's own
// rules "builtin:<member>" (the metadata member whose rule refused it: builtin:redirect_uris,
// builtin:client_uri, ...), or "builtin" when the metadata as a whole was refused. "" when err is not a refusal.
func DecidedBy(err error) string {
	var r *Refused
	if errors.As(err, &r) && r.DecidedBy != policy.DecidedByBuiltin {
		return r.DecidedBy
	}
	var e *oauth.Error
	if !errors.As(err, &e) || e.ServerFailure() {
		return ""
	}
	if e.Field != "" {
		return policy.DecidedByBuiltin + ":" + e.Field
	}
	return policy.DecidedByBuiltin
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
