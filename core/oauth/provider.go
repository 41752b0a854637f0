package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// ClientSource finds a client by id. Static clients come from the store; dynamically registered clients are
// decoded from their signed id behind the same interface.
type ClientSource interface {
	Get(ctx context.Context, id string) (*store.Client, error)
}

// OIDC is the OpenID Connect layer as the OAuth core sees it (core/oidc implements it): the one interface through
// which id_tokens, subjects and id_token_hints plug in. Without it the Provider is a plain OAuth 2.0 server: no
// id_token, sub is the user's immutable id, and id_token_hints are ignored.
type OIDC interface {
	// IDToken returns the id_token of a token response, "" for none (OIDC Core §3.1.3.3). An error fails the
	// request with nothing issued.
	IDToken(ctx context.Context, t *IssuedTokens) (string, error)
	// Subject maps a user to the sub of id_tokens and introspection.
	Subject(u *store.User) string
	// SubjectCollides reports whether a client_id could be taken for a user's sub in the host's subject format:
	// a client acting for itself has its client_id as sub, so such a client may not (RFC 9700 §4.15).
	SubjectCollides(clientID string) bool
	// HintSubject checks an id_token_hint of an authorization request (signature and issuer; it may have
	// expired) and returns its sub.
	HintSubject(ctx context.Context, hint string) (string, error)
}

// Settings are the protocol settings of one host that the provider needs.
type Settings struct {
	Issuer               string
	AccessTokenTTL       time.Duration
	RefreshTokenTTL      time.Duration
	CodeTTL              time.Duration
	DeviceCodeTTL        time.Duration
	RefreshReuseGrace    time.Duration
	GrantTypes           []string // the grant types the host enables; each needs a Grant (New checks)
	ResponseTypes        []string
	RequireCodeChallenge bool
	CodeChallengeMethods []string
	// OOBRequirePKCE (oob_require_pkce) ends the out-of-band redirect's PKCE exemption for legacy clients
	// (registered with mod_http_oauth2); clients registered with Assentry always need S256 there (checkPKCE).
	OOBRequirePKCE bool
	// PushedRequestTTL is how long a request_uri of the pushed authorization request endpoint can be used
	// (RFC 9126 §2.2); zero: DefaultPushedRequestTTL.
	PushedRequestTTL time.Duration
	// RequirePushedRequests makes pushed authorization requests the only way to the authorization endpoint for
	// every client of the host (RFC 9126 §5 require_pushed_authorization_requests).
	RequirePushedRequests bool
	// For the RFC 8414 metadata.
	TermsURL             string
	PolicyURL            string
	ServiceDocumentation string
	// Resources are the host's protected resources (RFC 8707): the resource indicators any client without its
	// own list may ask for, and each one's access token format.
	Resources []Resource
	// JWTAccessTokenAlg signs RFC 9068 JWT access tokens (the host's id_token_signing_alg); empty: RS256.
	JWTAccessTokenAlg string
}

// Options are what a Provider is built from. Every store and service is required except OIDC; Policy is the
// host's policy chain, with BuiltinPolicy as its built-in policy (and no plugin when none is configured).
type Options struct {
	Host         string
	Settings     Settings
	Clients      ClientSource
	Users        store.UserStore
	Grants       store.GrantStore
	Tokens       store.TokenStore
	Codes        store.CodeStore
	DeviceCodes  store.DeviceCodeStore
	Consents     store.ConsentStore
	Interactions store.InteractionStore
	Scopes       *Catalogue
	Policy       policy.Policy
	OIDC         OIDC
	// JWTSigner signs RFC 9068 JWT access tokens with the host's keys (core/token.Manager); nil: every access
	// token is opaque, whatever a client or resource asks for.
	JWTSigner JWTSigner
	// Handlers are the grants the token endpoint can serve; nil means BuiltinGrants(). Settings.GrantTypes picks
	// which of them the host serves.
	Handlers []Grant
	Now      func() time.Time
	// ClientAuthLimits throttle failed client authentications; both limiters are required.
	ClientAuthLimits ClientAuthLimits
	// Random is the source of user codes; nil: crypto/rand. Tests inject one to force collisions.
	Random io.Reader
	// Log is the host's logger; it carries the host id already (core/assembly passes Log.With("host", id)),
	// so the provider's lines do not add it again.
	Log *slog.Logger
	// DPoP validates the host's DPoP proofs (RFC 9449); nil: DPoP is off and DPoP headers are ignored.
	DPoP *dpop.Checker
	// Events receives the security events of the protocol (tokens issued, refreshed, revoked, reused and
	// introspected, consents given, policy denials); nil drops them.
	Events *events.Emitter
}

// Provider is the OAuth 2.0 core of one host: authorization requests, codes, the token endpoint, revocation and
// introspection. It works on typed requests and never sees HTTP. Build it with New.
type Provider struct {
	Host         string
	Settings     Settings
	Clients      ClientSource
	Users        store.UserStore
	Grants       store.GrantStore
	Tokens       store.TokenStore
	Codes        store.CodeStore
	DeviceCodes  store.DeviceCodeStore
	Consents     store.ConsentStore
	Interactions store.InteractionStore
	Scopes       *Catalogue
	// Policy is the host's policy chain (map_roles, scope_policy, consent).
	Policy policy.Policy
	oidc   OIDC
	// jwt signs JWT access tokens (Options.JWTSigner); nil: opaque only.
	jwt  JWTSigner
	dpop *dpop.Checker
	// grants are the served grants by grant_type, in the order of Settings.GrantTypes.
	grants map[string]Grant
	clock  func() time.Time
	random io.Reader
	// authLimits throttle failed client authentications (clientauth_limits.go).
	authLimits ClientAuthLimits
	logger     *slog.Logger
	events     *events.Emitter
	// legacyWarned remembers (by digest of the client_id) the legacy clients whose failing secret was logged,
	// so the warning comes once per client; only clients whose signed id verified get here, so it stays small.
	legacyWarned sync.Map
}

// New builds a Provider and refuses one that lacks a dependency or enables a grant type no Grant serves.
func New(o Options) (*Provider, error) {
	var missing []string
	for name, ok := range map[string]bool{"Host": o.Host != "", "Settings.Issuer": o.Settings.Issuer != "",
		"Clients": o.Clients != nil, "Users": o.Users != nil, "Grants": o.Grants != nil, "Tokens": o.Tokens != nil,
		"Codes": o.Codes != nil, "DeviceCodes": o.DeviceCodes != nil, "Consents": o.Consents != nil,
		"Interactions": o.Interactions != nil, "Scopes": o.Scopes != nil, "Policy": o.Policy != nil,
		"ClientAuthLimits.PerClientIP": o.ClientAuthLimits.PerClientIP != nil,
		"ClientAuthLimits.PerIP":       o.ClientAuthLimits.PerIP != nil} {
		if !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("oauth: a provider needs %v", missing)
	}
	handlers := o.Handlers
	if handlers == nil {
		handlers = BuiltinGrants()
	}
	byType := map[string]Grant{}
	for _, g := range handlers {
		if g == nil || g.Type() == "" {
			return nil, errors.New("oauth: a grant without a type")
		}
		if _, dup := byType[g.Type()]; dup {
			return nil, fmt.Errorf("oauth: two grants serve %q", g.Type())
		}
		byType[g.Type()] = g
	}
	served := map[string]Grant{}
	for _, t := range o.Settings.GrantTypes {
		g, ok := byType[t]
		if !ok {
			return nil, fmt.Errorf("oauth: grant_types: %q is enabled but no grant serves it", t)
		}
		served[t] = g
	}
	p := &Provider{Host: o.Host, Settings: o.Settings, Clients: o.Clients, Users: o.Users, Grants: o.Grants,
		Tokens: o.Tokens, Codes: o.Codes, DeviceCodes: o.DeviceCodes, Consents: o.Consents,
		Interactions: o.Interactions, Scopes: o.Scopes, Policy: o.Policy, oidc: o.OIDC, jwt: o.JWTSigner, grants: served,
		clock: o.Now, random: o.Random, logger: o.Log, authLimits: o.ClientAuthLimits, events: o.Events,
		dpop: o.DPoP}
	if p.random == nil {
		p.random = rand.Reader
	}
	p.Settings.GrantTypes = slices.Clone(o.Settings.GrantTypes)
	return p, nil
}

// GrantTypes are the grant types the host serves, in configuration order: what the token endpoint dispatches,
// what both metadata documents list, and what clients may be registered for.
func (p *Provider) GrantTypes() []string { return slices.Clone(p.Settings.GrantTypes) }

// Serves reports whether the host serves grant type t.
func (p *Provider) Serves(t string) bool { _, ok := p.grants[t]; return ok }

// SubjectOf returns the sub of a user.
func (p *Provider) SubjectOf(u *store.User) string {
	if p.oidc != nil {
		return p.oidc.Subject(u)
	}
	return u.ID
}

// subjectCollides reports whether a client's sub (its client_id, when it acts for itself) could be taken for a
// user's (RFC 9700 §4.15). Without the OIDC layer a user's sub is the user's id, so an id-shaped client_id
// collides.
func (p *Provider) subjectCollides(clientID string) bool {
	if p.oidc != nil {
		return p.oidc.SubjectCollides(clientID)
	}
	return account.LooksLikeID(clientID)
}

func (p *Provider) now() time.Time {
	if p.clock != nil {
		return p.clock().UTC()
	}
	return time.Now().UTC()
}

func (p *Provider) log() *slog.Logger {
	if p.logger != nil {
		return p.logger
	}
	return slog.Default()
}

// Token prefixes make leaked values easy to recognise and scan for.
const (
	PrefixAccessToken  = "at_"
	PrefixRefreshToken = "rt_"
	PrefixCode         = "ac_"
	PrefixDeviceCode   = "dc_"
)

// newSecret returns prefix + 256 random bits (base64url) and the SHA-256 the store keeps instead.
func newSecret(prefix string) (value, id string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	value = prefix + base64.RawURLEncoding.EncodeToString(b)
	return value, Digest(value)
}

// hasGrant reports whether a client is registered for grant type t.
func hasGrant(c *store.Client, t string) bool { return slices.Contains(c.GrantTypes, t) }

// newGrantID returns a random 128-bit grant id in hex. Hex, not base64url: an id that began with "-" read as a
// flag on the command line (`assentry grant revoke -JFA…`), one grant in 64.
func newGrantID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
