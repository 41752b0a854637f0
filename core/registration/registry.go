package registration

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// Options configure the Registry of one host.
type Options struct {
	Host       string // the host id (store key prefix)
	Issuer     string // the host's issuer: the iss of new client_ids, checked on ids that carry one
	Key        string // registration.key: signs client_ids and derives secrets (as raw bytes, as Prosody uses it)
	Algorithm  string // registration.algorithm: HS256 (default), HS384 or HS512
	TTL        time.Duration
	LegacyHost string // registration.legacy_host: the host name in the secret derivation
	// InitialAccessToken, when set, must be presented to register (RFC 7591 §3: registration.initial_access_token).
	InitialAccessToken string
	Rules              Rules
	// NoDefaultRules switches mod_http_oauth2's registration rules (DefaultRules, the built-in
	// validate_registration policy) off: builtin_policy.validate_registration: false. The host's own checks
	// (Rules.Normalize) still run.
	NoDefaultRules bool
	// Policy is the host's policy chain, for the validate_registration hook (required). Its built-in
	// validate_registration should be BuiltinPolicy, so that plugins only see metadata that passed the default
	// rules (which run again on the result either way).
	Policy  policy.Policy
	Revoked store.RevokedClientStore
	Now     func() time.Time // nil: time.Now
	Rand    io.Reader        // source of nonces; nil: crypto/rand
	// Events receives client.registered, client.revoked and the registration policy's denials; nil drops them.
	Events *events.Emitter
}

// Registry registers clients and turns registered client_ids back into clients. It implements
// oauth.ClientSource for registered ids: nothing about a client is stored, only bans.
type Registry struct {
	// Policy runs the validate_registration hook (Options.Policy).
	Policy policy.Policy

	host       string
	key        []byte
	ttl        time.Duration
	legacyHost string
	iat        []byte // the initial access token; nil: registration is open
	rules      Rules
	defaults   bool // DefaultRules apply (the built-in validate_registration policy is on)
	codec      *codec
	revoked    store.RevokedClientStore
	now        func() time.Time
	schema     []byte
	events     *events.Emitter
}

var _ oauth.ClientSource = (*Registry)(nil)

// New returns the Registry of a host.
func New(o Options) (*Registry, error) {
	method, err := signingMethod(o.Algorithm)
	switch {
	case err != nil:
		return nil, err
	case o.Key == "":
		return nil, errors.New("registration: no key")
	case o.Host == "" || o.Issuer == "" || o.LegacyHost == "":
		return nil, errors.New("registration: the host id, issuer and legacy host are required")
	case o.Revoked == nil:
		return nil, errors.New("registration: no revocation list")
	case o.Policy == nil:
		return nil, errors.New("registration: no policy chain")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Rules.IDTokenAlgs == nil {
		o.Rules.IDTokenAlgs = oauth.IDTokenAlgorithms
	}
	r := &Registry{Policy: o.Policy, host: o.Host, key: []byte(o.Key), ttl: o.TTL, legacyHost: o.LegacyHost, rules: o.Rules,
		defaults: !o.NoDefaultRules, revoked: o.Revoked, now: o.Now, events: o.Events,
		codec: &codec{key: []byte(o.Key), method: method, ttl: o.TTL, issuer: o.Issuer, now: o.Now, rand: o.Rand}}
	if o.InitialAccessToken != "" {
		r.iat = []byte(o.InitialAccessToken)
	}
	if r.schema, err = schemaJSON(o.Rules, !o.NoDefaultRules); err != nil {
		return nil, err
	}
	return r, nil
}

// Open reports whether anyone may register (no initial access token is configured).
func (r *Registry) Open() bool { return r.iat == nil }

// AcceptsInitialAccessToken reports whether token may register: any value when registration is open, else
// only the configured initial access token (RFC 7591 §3), compared in constant time.
func (r *Registry) AcceptsInitialAccessToken(token string) bool {
	return r.iat == nil || subtle.ConstantTimeCompare([]byte(token), r.iat) == 1
}

// Register serves a registration request (RFC 7591 §3.1): body is the JSON metadata. It applies the rules,
// signs the client_id and derives the secret. A refused registration is an *oauth.Error.
func (r *Registry) Register(ctx context.Context, body []byte) (*Response, error) {
	return r.RegisterFrom(ctx, body, RequestInfo{AuthKind: "anonymous"})
}

// RegisterFrom is Register with what the validate_registration policy hook learns of the request.
func (r *Registry) RegisterFrom(ctx context.Context, body []byte, info RequestInfo) (*Response, error) {
	in, err := parseMetadata(body)
	if err != nil {
		return nil, err
	}
	m, err := r.rules.Normalize(in)
	if err != nil {
		return nil, err
	}
	if m, err = r.checker().validate(ctx, m, source{operation: policy.OperationRegister, info: info}); err != nil {
		return nil, err
	}
	id, iat, err := r.codec.sign(m)
	if err != nil {
		return nil, err
	}
	if len(id) > MaxClientIDLen {
		return nil, invalidMetadata("", "the metadata is too large: its client_id would be %d bytes, over the limit "+
			"of %d; register fewer or shorter redirect URIs, contacts, names or URIs", len(id), MaxClientIDLen)
	}
	resp := &Response{Metadata: *m, ClientID: id, ClientIDIssuedAt: iat.Unix()}
	if m.TokenEndpointAuthMethod != oauth.AuthNone {
		// RFC 7591 §3.2.1: 0 means the secret does not expire; with a TTL it expires with its client_id.
		var expires int64
		if r.ttl > 0 {
			expires = iat.Add(r.ttl).Unix()
		}
		resp.ClientSecret, resp.ClientSecretExpiresAt = deriveSecret(r.key, r.legacyHost, id), &expires
	}
	kind := events.ClientConfidential
	if m.TokenEndpointAuthMethod == oauth.AuthNone {
		kind = events.ClientPublic
	}
	r.events.Emit(ctx, events.Event{Kind: events.ClientRegistered, Host: r.host, ClientID: id, ClientKind: kind,
		IP: info.RemoteAddr, Scope: m.Scope})
	return resp, nil
}

// Get returns the client a registered client_id stands for. An id that does not verify (shape, signature,
// algorithm, issuer, and expiry when registration.ttl is set) or that is on the revocation list is unknown:
// the error wraps oauth.ErrClientNotFound and says why (ErrNotRegistered or ErrRevoked), for the log.
func (r *Registry) Get(ctx context.Context, id string) (*store.Client, error) {
	cl, err := r.codec.parse(id, true)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", oauth.ErrClientNotFound, err)
	}
	// The ban is checked on every lookup, so a revoked client stops at once, at every endpoint.
	_, err = r.revoked.Get(ctx, r.host, oauth.Digest(id))
	switch {
	case err == nil:
		return nil, fmt.Errorf("%w: %w", oauth.ErrClientNotFound, ErrRevoked)
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return r.client(id, cl), nil
}

// client builds the client of verified claims. Defaults fill what ids registered by older versions of
// mod_http_oauth2 may lack. Registered clients are untrusted: errors before the user authenticates are shown,
// not redirected (RFC 9700 §4.11.2).
func (r *Registry) client(id string, cl *claims) *store.Client {
	m := cl.Metadata
	c := &store.Client{ID: id, Host: r.host, Name: m.ClientName, ClientURI: m.ClientURI, LogoURI: m.LogoURI,
		TOSURI: m.TOSURI, PolicyURI: m.PolicyURI, RedirectURIs: m.RedirectURIs,
		PostLogoutRedirectURIs: m.PostLogoutRedirectURIs, GrantTypes: m.GrantTypes, Scopes: strings.Fields(m.Scope),
		TokenEndpointAuthMethod: m.TokenEndpointAuthMethod, IDTokenSignedResponseAlg: m.IDTokenSignedResponseAlg,
		RequirePushedAuthorizationRequests: m.RequirePushedAuthorizationRequests,
		DPoPBoundAccessTokens:              m.DPoPBoundAccessTokens, Untrusted: true, Legacy: cl.Issuer == ""}
	if c.TokenEndpointAuthMethod == "" {
		c.TokenEndpointAuthMethod = oauth.AuthClientSecretBasic
	}
	if c.GrantTypes == nil {
		c.GrantTypes = []string{oauth.GrantAuthorizationCode}
	}
	// RFC 7591 §2.1 pairs response type token with the implicit grant; an id that registered the one without
	// the other (older mod_http_oauth2 ids) stands for both, as the server it came from treated it.
	if slices.Contains(m.ResponseTypes, oauth.ResponseTypeToken) && !slices.Contains(c.GrantTypes, oauth.GrantImplicit) {
		c.GrantTypes = append(slices.Clone(c.GrantTypes), oauth.GrantImplicit)
	}
	// An algorithm the host no longer signs with (it did when the client registered) falls back to the host's
	// default rather than failing every token request of the client.
	if !slices.Contains(r.rules.IDTokenAlgs, c.IDTokenSignedResponseAlg) {
		c.IDTokenSignedResponseAlg = ""
	}
	if c.TokenEndpointAuthMethod != oauth.AuthNone {
		c.SecretHash = oauth.Digest(deriveSecret(r.key, r.legacyHost, id))
	}
	if cl.IssuedAt != nil {
		c.CreatedAt, c.UpdatedAt = cl.IssuedAt.UTC(), cl.IssuedAt.UTC()
	}
	return c
}

// Revoke puts a registered client on the host's revocation list and revokes every grant issued to it: its
// client_id stops authenticating and authorizing at once. The id must verify with this host's key (expired ids
// included), else ErrNotRegistered. Revoking again keeps the first ban, and reports it once: the client.revoked
// event (reason banned, the operator's reason as its detail) is written by the ban that recorded it. It returns
// the ban and how many grants it revoked.
func (r *Registry) Revoke(ctx context.Context, id, reason string) (*store.RevokedClient, int, error) {
	cl, err := r.codec.parse(id, false)
	if err != nil {
		return nil, 0, err
	}
	ban := &store.RevokedClient{Host: r.host, ID: oauth.Digest(id), ClientName: cl.ClientName, ClientURI: cl.ClientURI,
		Reason: reason, RevokedAt: r.now().UTC()}
	n, added, err := r.revoked.Add(ctx, ban, id)
	if err != nil {
		return nil, 0, err
	}
	switch {
	case added:
		r.events.Emit(ctx, events.Event{Kind: events.ClientRevoked, Host: r.host, ClientID: id, Reason: "banned",
			Detail: reason})
	case n > 0: // banned before, but grants made since (by tokens still in flight) were revoked now
		r.events.Emit(ctx, events.Event{Kind: events.TokenRevoked, Host: r.host, ClientID: id, Reason: "banned"})
	}
	stored, err := r.revoked.Get(ctx, r.host, ban.ID)
	return stored, n, err
}

// Revoked lists the host's banned clients, oldest first.
func (r *Registry) Revoked(ctx context.Context) ([]*store.RevokedClient, error) {
	return r.revoked.List(ctx, r.host)
}

// Schema is the JSON Schema of the metadata this host accepts (served at GET /oauth2/register, as
// mod_http_oauth2 does).
func (r *Registry) Schema() []byte { return r.schema }
