package oauth

import (
	"context"
	"slices"
	"time"

	"github.com/assentry/assentry/store"
)

// TokenFormat mints access tokens of one format, chosen per client and per resource (formatFor): opaque Bearer
// tokens, or RFC 9068 JWT access tokens. DPoP-bound tokens (RFC 9449, token_type DPoP) would slot in here
// without touching the grants.
type TokenFormat interface {
	// Type is the token_type of the token response (RFC 6749 §7.1).
	Type() string
	// Mint returns the value of the access token t describes and sets t.ID, the id the store keeps it under.
	Mint(ctx context.Context, t *store.Token, m *MintInput) (string, error)
}

// MintInput is what a format may put in a token besides the stored record: who it is for and how they signed in.
type MintInput struct {
	Client *store.Client
	// Subject is the user's sub (Provider.SubjectOf); empty for a client's own token.
	Subject  string
	AuthTime time.Time
}

// opaqueFormat is 256 random bits with the at_ prefix, stored as its SHA-256 (RFC 6750 Bearer).
type opaqueFormat struct{}

func (opaqueFormat) Type() string { return TokenTypeBearer }

func (opaqueFormat) Mint(_ context.Context, t *store.Token, _ *MintInput) (string, error) {
	value, id := newSecret(PrefixAccessToken)
	t.ID = id
	return value, nil
}

// formatFor picks the access token format and returns it with the token's audience: a JWT (RFC 9068) when the
// client asks for JWT access tokens or one of the token's resources is configured for them, else opaque. Without
// a signer every token is opaque.
//
// A JWT access token is always for a resource: its aud is never the client_id, which is an id_token's aud, so
// that neither can be taken for the other (RFC 8725 §3.11–3.12: mutually exclusive validation rules). A JWT
// token whose request names no resource is for the host's default resource when there is one the client may
// use, else it is opaque (the client still gets a working token, for userinfo for example).
func (p *Provider) formatFor(client *store.Client, audience []string) (TokenFormat, []string) {
	if p.jwt == nil {
		return opaqueFormat{}, audience
	}
	if len(audience) > 0 {
		if client.AccessTokenFormat == FormatJWT {
			return p.jwtFormat(), audience
		}
		for _, r := range p.Settings.Resources {
			if r.AccessTokenFormat == FormatJWT && slices.Contains(audience, r.URI) {
				return p.jwtFormat(), audience
			}
		}
		return opaqueFormat{}, audience
	}
	if client.AccessTokenFormat != FormatJWT {
		return opaqueFormat{}, nil
	}
	for _, r := range p.Settings.Resources {
		if r.Default && slices.Contains(p.allowedResources(client), r.URI) {
			return p.jwtFormat(), []string{r.URI}
		}
	}
	return opaqueFormat{}, nil
}
