package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"time"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// ClientSource finds a client by id. Static clients come from the store; dynamically registered clients (a
// later issue) are decoded from their signed id behind the same interface.
type ClientSource interface {
	Get(ctx context.Context, id string) (*store.Client, error)
}

// Settings are the protocol settings of one host that the provider needs.
type Settings struct {
	Issuer               string
	AccessTokenTTL       time.Duration
	RefreshTokenTTL      time.Duration
	CodeTTL              time.Duration
	RefreshReuseGrace    time.Duration
	GrantTypes           []string
	ResponseTypes        []string
	RequireCodeChallenge bool
	CodeChallengeMethods []string
	// For the RFC 8414 metadata.
	TermsURL             string
	PolicyURL            string
	ServiceDocumentation string
}

// Provider is the OAuth 2.0 core of one host: authorization requests, codes, the token endpoint, revocation and
// introspection. It works on typed requests and never sees HTTP.
type Provider struct {
	Host         string
	Settings     Settings
	Clients      ClientSource
	Users        store.UserStore
	Grants       store.GrantStore
	Tokens       store.TokenStore
	Codes        store.CodeStore
	Consents     store.ConsentStore
	Interactions store.InteractionStore
	Scopes       *Catalogue
	Now          func() time.Time
	Log          *slog.Logger
	// OnTokens, when set, is called at the token endpoint once the tokens of a response are minted and before
	// they are stored; what it returns is sent as id_token (OIDC Core §3.1.3.3), an error fails the request with
	// nothing issued. Nil (the default): no id_token. This is the seam of the OIDC layer.
	OnTokens func(ctx context.Context, t *IssuedTokens) (idToken string, err error)
	// Policy is the host's policy chain (map_roles, scope_policy, consent); nil runs the built-in rules alone.
	Policy policy.Policy
	// Subject maps a user to the sub of id_tokens and introspection; nil: the user's immutable id.
	Subject func(u *store.User) string
	// VerifyIDTokenHint checks an id_token_hint of an authorization request (signature and issuer; it may have
	// expired) and returns its sub; nil: hints are ignored.
	VerifyIDTokenHint func(ctx context.Context, hint string) (sub string, err error)
}

// SubjectOf returns the sub of a user.
func (p *Provider) SubjectOf(u *store.User) string {
	if p.Subject != nil {
		return p.Subject(u)
	}
	return u.ID
}

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now().UTC()
	}
	return time.Now().UTC()
}

func (p *Provider) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

// Token prefixes make leaked values easy to recognise and scan for (DESIGN.md §3).
const (
	PrefixAccessToken  = "at_"
	PrefixRefreshToken = "rt_"
	PrefixCode         = "ac_"
)

// newSecret returns prefix + 256 random bits (base64url) and the SHA-256 the store keeps instead.
func newSecret(prefix string) (value, id string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	value = prefix + base64.RawURLEncoding.EncodeToString(b)
	return value, Digest(value)
}

// newGrantID returns a random grant id.
func newGrantID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
