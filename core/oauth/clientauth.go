package oauth

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"

	"github.com/assentry/assentry/store"
)

// ClientCredentials are what a token, revocation or introspection request carries to authenticate its client,
// copied verbatim by the HTTP layer. The Authorization header is decoded here, not there, so every rule of
// client authentication (RFC 6749 §2.3) lives in one place and is tested without HTTP.
type ClientCredentials struct {
	// Authorization is the raw Authorization header ("" when absent). Only the Basic scheme is served:
	// "Basic " base64(form-urlencoded id ":" form-urlencoded secret), RFC 6749 §2.3.1.
	Authorization string
	// ID and Secret are the body's client_id and client_secret (client_secret_post, or a public client's id).
	ID     string
	Secret string
}

// CredentialsFrom returns the credentials of a request: its Authorization header and the client_id and
// client_secret of its already parsed body.
func CredentialsFrom(authorization string, params Params) ClientCredentials {
	return ClientCredentials{Authorization: authorization, ID: params["client_id"], Secret: params["client_secret"]}
}

// authFailure is the cause of an invalid_client error from AuthenticateClient: the reason, which is logged, and
// whether the request guessed (a secret or a client_id) and so counts against ClientAuthLimits.
type authFailure struct {
	reason string
	guess  bool
}

func (f *authFailure) Error() string { return "client authentication: " + f.reason }

// BasicTried reports whether e is a client authentication failure of a request that authenticated with the
// Authorization header, and so carries a Basic challenge (clientFailed).
func (e *Error) BasicTried() bool {
	return e != nil && e.Code == CodeInvalidClient && e.challenge != nil && e.challenge.scheme == SchemeBasic
}

// clientFailed is invalid_client with the description the client sees and the reason that is logged. A request
// that authenticated with the Authorization header gets the WWW-Authenticate challenge RFC 6749 §5.2 requires
// then (`Basic realm="..."`, RFC 7617 §2); one that authenticated in the body gets the 401 without a challenge,
// so a browser running a public client never pops up a password dialog.
func clientFailed(header bool, desc, reason string) *Error {
	return authFailed(header, desc, &authFailure{reason: reason})
}

// guessFailed is clientFailed for a guess that failed: a secret that does not verify or an unknown client_id.
// It counts against ClientAuthLimits (RFC 6749 §2.3.1, clientauth_limits.go).
func guessFailed(header bool, reason string) *Error {
	return authFailed(header, "client authentication failed", &authFailure{reason: reason, guess: true})
}

func authFailed(header bool, desc string, cause *authFailure) *Error {
	e := InvalidClient(desc).WithCause(cause)
	if header {
		e.withChallenge(SchemeBasic, true, "")
	}
	return e
}

// AuthenticateClient authenticates the client of a token, revocation or introspection request (RFC 6749 §2.3,
// §3.2.1; RFC 7009 §2.1; RFC 7662 §2.1). Exactly one method per request: HTTP Basic (client_secret_basic),
// client_id and client_secret in the body (client_secret_post), or client_id alone for a public client (none).
// The method must be the one the client registered. It reads only the client, so a failed authentication
// consumes nothing.
//
// clientAddr is the client's address (Transport.ClientAddr). Failed guesses are counted per (client_id,
// clientAddr) and per clientAddr, and past either limit the request is 429 before its client is read
// (RFC 6749 §2.3.1, clientauth_limits.go).
func (p *Provider) AuthenticateClient(ctx context.Context, cr ClientCredentials, clientAddr string) (*store.Client, *Error) {
	id := claimedID(cr)
	// RFC 6749 §2.3.1: protect client passwords against brute force; a throttled request checks nothing.
	if wait := p.authWait(id, clientAddr); wait > 0 {
		return nil, tooManyClientAuthFailures(wait)
	}
	client, e := p.authenticate(ctx, cr)
	if e.guessed() {
		p.authFailed(id, clientAddr)
	}
	return client, e
}

// authenticate applies the rules of RFC 6749 §2.3 to one request (AuthenticateClient).
func (p *Provider) authenticate(ctx context.Context, cr ClientCredentials) (*store.Client, *Error) {
	if cr.Authorization != "" {
		return p.authenticateHeader(ctx, cr)
	}
	switch {
	case cr.ID == "" && cr.Secret != "":
		return nil, InvalidRequest("client_secret without client_id")
	case cr.ID == "":
		return nil, clientFailed(false, "client authentication is required", "no credentials")
	}
	client, err := p.lookupClient(ctx, cr.ID, false)
	if err != nil {
		return nil, err
	}
	switch client.TokenEndpointAuthMethod {
	case AuthNone:
		// A public client has no secret; one that sends a secret is not who it claims (RFC 6749 §2.3).
		if cr.Secret != "" {
			return nil, clientFailed(false, "a public client does not send a client_secret", "none client sent a secret")
		}
		return client, nil
	case AuthClientSecretPost:
		return p.checkSecret(client, cr.Secret, false)
	case AuthClientSecretBasic:
		if client.Legacy {
			return p.checkSecret(client, cr.Secret, false)
		}
		return nil, clientFailed(false, "the client must authenticate with HTTP Basic (client_secret_basic)",
			"client_secret_basic client authenticated in the body")
	}
	return nil, clientFailed(false, "client authentication failed", "unsupported method "+client.TokenEndpointAuthMethod)
}

// authenticateHeader authenticates a request that carries an Authorization header (client_secret_basic).
func (p *Provider) authenticateHeader(ctx context.Context, cr ClientCredentials) (*store.Client, *Error) {
	id, secret, ok := ParseBasicAuth(cr.Authorization)
	if !ok {
		return nil, clientFailed(true, "malformed Authorization header: expected Basic with the form-encoded client_id and client_secret",
			"malformed Authorization header")
	}
	// RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
	if cr.Secret != "" {
		return nil, InvalidRequest("client credentials in both the Authorization header and the body")
	}
	if cr.ID != "" && cr.ID != id {
		return nil, InvalidRequest("client_id in the body differs from the Authorization header")
	}
	client, err := p.lookupClient(ctx, id, true)
	if err != nil {
		return nil, err
	}
	switch client.TokenEndpointAuthMethod {
	case AuthClientSecretBasic:
		return p.checkSecret(client, secret, true)
	case AuthNone:
		// Even "id:" (an empty secret) is refused: a public client has no password. The 401 makes
		// golang.org/x/oauth2's auto-detection retry with client_id in the body, before anything is consumed.
		return nil, clientFailed(true, "a public client sends its client_id in the body, without a secret",
			"none client used Basic")
	case AuthClientSecretPost:
		if client.Legacy {
			return p.checkSecret(client, secret, true)
		}
		return nil, clientFailed(true, "the client must send client_secret in the body (client_secret_post)",
			"client_secret_post client used Basic")
	}
	return nil, clientFailed(true, "client authentication failed", "unsupported method "+client.TokenEndpointAuthMethod)
}

// checkSecret verifies a confidential client's secret, sent in the Authorization header (header) or the body.
// A client registered with mod_http_oauth2 (Legacy) may use either method, as Prosody allowed; its secret is
// derived from registration.legacy_host, so when it does not verify the likeliest cause is a legacy_host that is
// not the host the client registered with: that is logged once per client, without the secret.
func (p *Provider) checkSecret(client *store.Client, secret string, header bool) (*store.Client, *Error) {
	if CheckClientSecret(client.SecretHash, secret) {
		return client, nil
	}
	if client.Legacy {
		if _, warned := p.legacyWarned.LoadOrStore(Digest(client.ID), true); !warned {
			p.log().Warn("a client registered with mod_http_oauth2 sent a secret that does not verify: check that "+
				"registration.legacy_host is the host name it registered with (its secret derives from it)",
				"client_name", client.Name)
		}
	}
	reason := "wrong or missing client_secret"
	if header {
		reason = "wrong or missing secret in Basic"
	}
	return nil, guessFailed(header, reason)
}

// lookupClient finds a client; an unknown one is invalid_client (RFC 6749 §5.2), a failing source a
// server_error.
func (p *Provider) lookupClient(ctx context.Context, id string, header bool) (*store.Client, *Error) {
	client, err := p.Clients.Get(ctx, id)
	switch {
	case errors.Is(err, ErrClientNotFound), errors.Is(err, store.ErrNotFound):
		if r := ClientRefusal(err); r != nil {
			// The source said why (a refused metadata document): the client is told, the reason logged.
			return nil, authFailed(header, r.Description, &authFailure{reason: err.Error(), guess: true})
		}
		return nil, guessFailed(header, "unknown client "+id)
	case err != nil:
		return nil, ServerError(err)
	}
	return client, nil
}

// ParseBasicAuth decodes an Authorization header of the Basic scheme (RFC 7617 §2; the scheme name is
// case-insensitive, RFC 7235 §2.1) into the client id and secret. RFC 6749 §2.3.1 has both form-urlencoded
// before they are joined with ':', so the split is at the first ':' and each half is then form-decoded ('+' is a
// space, %XX a byte): an id or secret may itself contain ':', '%' or '+'. ok is false for any other scheme, bad
// base64, a missing ':', a bad escape or an empty id.
func ParseBasicAuth(header string) (id, secret string, ok bool) {
	scheme, cred, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimLeft(cred, " "))
	if err != nil {
		return "", "", false
	}
	encID, encSecret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", false
	}
	id, err1 := url.QueryUnescape(encID)
	secret, err2 := url.QueryUnescape(encSecret)
	if err1 != nil || err2 != nil || id == "" || !cleanText(id) || !cleanText(secret) {
		return "", "", false // not UTF-8, or a NUL: no client has such an id (RFC 6749 Appendix A.1, A.2)
	}
	return id, secret, true
}

// ClientRefusal returns the invalid_client *Error a ClientSource gave for a client it refuses with a reason the
// client should read (a Client ID Metadata Document that could not be fetched or broke a rule), or nil when the
// client is merely unknown.
func ClientRefusal(err error) *Error {
	var e *Error
	if errors.As(err, &e) && e.Code == CodeInvalidClient && !e.ServerFailure() {
		return e
	}
	return nil
}
