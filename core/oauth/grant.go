package oauth

import (
	"context"
	"net/http"

	"github.com/assentry/assentry/store"
)

// Grant serves one grant_type at the token endpoint (RFC 6749 §4, §6; RFC 8628 §3.4). The phases every grant
// shares run before it, in Provider.Token: client authentication, the host serving the grant type, the client
// being registered for it. A grant decides what to issue and hands that to Provider.Issue, which mints, runs the
// scope chain and stores the tokens in one write. A new grant type is a new file with a type implementing this,
// listed in BuiltinGrants (or given to New in Options.Handlers).
type Grant interface {
	// Type is the grant_type value the grant serves.
	Type() string
	// Token answers a token request of an authenticated client that may use this grant.
	Token(ctx context.Context, p *Provider, r *GrantRequest) (*TokenResponse, *Error)
}

// GrantRequest is a token request after the shared phases: the authenticated client, the parameters and the
// transport facts.
type GrantRequest struct {
	Client    *store.Client
	Params    Params
	Transport Transport
	// Resource are the request's resource indicators (RFC 8707 §2), checked against what the client may ask
	// for; nil when none was sent.
	Resource []string
}

// Transport are the facts of the HTTP request a core request came in, copied by the HTTP layer: what a
// sender-constrained token (DPoP, mTLS) or a pushed request needs to be decided in the core.
type Transport struct {
	Method string
	// URL is the request's absolute URL as the client addressed it (issuer + path).
	URL    string
	Header http.Header
	// ClientAddr is the client's address, after trusted_proxies.
	ClientAddr string
}

// BuiltinGrants are the grants Assentry implements that need nothing beyond the Provider, one file each. A host
// serves those its grant_types enable. The password grant needs the host's accounts and login limiters, so it
// is made with NewPasswordGrant and given to New beside these.
func BuiltinGrants() []Grant {
	return []Grant{authCodeGrant{}, refreshGrant{}, deviceGrant{}, clientCredentialsGrant{}, implicitGrant{}}
}
