package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"maps"
	"strings"
	"time"

	"github.com/assentry/assentry/store"
)

// Pushed authorization requests (RFC 9126): a client posts the parameters of an authorization request to the
// pushed authorization request endpoint, authenticated as at the token endpoint, and sends the browser to the
// authorization endpoint with only client_id and the request_uri it got back. The parameters never travel
// through the browser, where they could be read or changed, and a confidential client's request is known to
// come from it.
//
// A pushed request is kept in the InteractionStore, which already has what it needs (expiry and a consume
// that exactly one of racing requests wins): its record's ID is the digest of the request_uri, as for every
// other secret of the store, and Request holds the parameters. It lives PushedRequestTTL and is used once.

// RequestURIPrefix begins every request_uri this server issues (RFC 9126 §2.2).
const RequestURIPrefix = "urn:ietf:params:oauth:request_uri:"

// DefaultPushedRequestTTL is how long a request_uri can be used when Settings leave PushedRequestTTL zero: long
// enough for one redirect, short enough that a leaked one is soon worthless (RFC 9126 §2.2, §7.3).
const DefaultPushedRequestTTL = 60 * time.Second

// pushedRequestGone is the one answer for a request_uri that is unknown, used or expired: the three are not
// told apart (RFC 9126 §4: "An expired request_uri MUST be rejected as invalid").
const pushedRequestGone = "request_uri was already used or has expired"

// clientAuthParams are the parameters of client authentication, which in a pushed request are "relied upon only
// for client authentication" (RFC 9126 §2.1): they are never part of the request kept.
var clientAuthParams = []string{"client_secret", "client_assertion", "client_assertion_type"}

// PushRequest is a request to the pushed authorization request endpoint (RFC 9126 §2.1).
type PushRequest struct {
	Params    Params
	Client    ClientCredentials
	Transport Transport
}

// PushResponse is RFC 9126 §2.2's 201 answer.
type PushResponse struct {
	RequestURI string `json:"request_uri"`
	ExpiresIn  int64  `json:"expires_in"`
	// DPoPNonce is the server nonce to announce in the DPoP-Nonce header (RFC 9449 §8.2); never in the body.
	DPoPNonce string `json:"-"`
}

// IsPushedRequestURI reports whether a request_uri is one of this server's pushed requests; any other
// request_uri (a request object by reference, OIDC Core §6.2) is still request_uri_not_supported.
func IsPushedRequestURI(uri string) bool { return strings.HasPrefix(uri, RequestURIPrefix) }

// Push serves the pushed authorization request endpoint (RFC 9126 §2.1): it authenticates the client as the
// token endpoint does, refuses a request_uri in the request, validates the request exactly as the authorization
// endpoint would (validateAuthorize; its errors are answered as JSON instead of a page or a redirect, §2.3), and
// stores it under a new request_uri. The body's client_id may be left out when the client authenticates with
// HTTP Basic: it is the authenticated client's.
func (p *Provider) Push(ctx context.Context, r *PushRequest) (*PushResponse, *Error) {
	client, e := p.AuthenticateClient(ctx, r.Client, r.Transport.ClientAddr)
	if e != nil {
		return nil, e
	}
	// RFC 9126 §2.1: "The request_uri authorization request parameter is one exception, and it MUST NOT be
	// provided."
	if r.Params["request_uri"] != "" {
		return nil, InvalidRequest("request_uri must not be sent to the pushed authorization request endpoint (RFC 9126 section 2.1)")
	}
	params := maps.Clone(r.Params)
	for _, k := range clientAuthParams {
		delete(params, k)
	}
	if params == nil {
		params = Params{}
	}
	params["client_id"] = client.ID // AuthenticateClient refused a body client_id that is not the client's
	nonce, e := p.pushProof(ctx, params, r.Transport)
	if e != nil {
		return nil, e
	}
	if _, err := p.validateAuthorize(ctx, params, true); err != nil {
		return nil, pushError(err)
	}
	now := p.now()
	ttl := ttlOr(p.Settings.PushedRequestTTL, DefaultPushedRequestTTL)
	uri := newRequestURI()
	ix := &store.Interaction{ID: Digest(uri), Host: p.Host, ClientID: client.ID, Request: params, MaxAge: -1,
		CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := p.Interactions.Put(ctx, ix); err != nil {
		return nil, ServerError(err)
	}
	return &PushResponse{RequestURI: uri, ExpiresIn: int64(ttl / time.Second), DPoPNonce: nonce}, nil
}

// pushError is the error of an invalid pushed request: the same *Error the authorization endpoint would have
// shown or redirected, answered at the endpoint instead (RFC 9126 §2.3).
func pushError(err error) *Error {
	var se *ShowError
	var re *RedirectError
	switch {
	case errors.As(err, &se):
		return se.Err
	case errors.As(err, &re):
		return re.Err
	}
	return AsError(err)
}

// redeemPushed returns the parameters of the pushed request that an authorization request names (RFC 9126 §4),
// and consumes it: a request_uri is used once. The front channel's client_id must be the client that pushed it
// (RFC 9101 §5, which RFC 9126 §4 builds on); its other parameters are ignored, the pushed ones are the request
// (RFC 9101 §6.3). Every refusal is shown, never redirected: no redirect URI has been verified yet.
func (p *Provider) redeemPushed(ctx context.Context, params Params) (Params, error) {
	show := func(desc string) error { return &ShowError{Err: InvalidRequest(desc)} }
	clientID := params["client_id"]
	if clientID == "" {
		return nil, show("The request has no client_id.")
	}
	id := Digest(params["request_uri"])
	ix, err := p.Interactions.Get(ctx, p.Host, id)
	switch {
	case isGone(err) || errors.Is(err, store.ErrAlreadyUsed):
		return nil, show(pushedRequestGone)
	case err != nil:
		return nil, &ShowError{Err: ServerError(err)}
	case ix.Request == nil || !p.now().Before(ix.ExpiresAt):
		// Not a pushed request (an interaction's id is not the digest of a request_uri anyway), or expired
		// by the provider's clock before the store's.
		return nil, show(pushedRequestGone)
	case ix.ClientID != clientID:
		// Checked before the consume, so another client cannot burn the request.
		return nil, show("request_uri was not pushed by this client")
	}
	if _, err := p.Interactions.Consume(ctx, p.Host, id); err != nil {
		if isGone(err) || errors.Is(err, store.ErrAlreadyUsed) {
			return nil, show(pushedRequestGone) // a racing use won
		}
		return nil, &ShowError{Err: ServerError(err)}
	}
	return maps.Clone(Params(ix.Request)), nil
}

// requirePushed: RFC 9126 §4, §5, §6: the host (require_pushed_authorization_requests) or the client
// (its metadata of that name) accepts authorization requests only by request_uri.
func (p *Provider) requirePushed(client *store.Client) bool {
	return p.Settings.RequirePushedRequests || client.RequirePushedAuthorizationRequests
}

// newRequestURI returns a request_uri with 256 random bits: it is a bearer of the request until it is used.
func newRequestURI() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return RequestURIPrefix + base64.RawURLEncoding.EncodeToString(b)
}
