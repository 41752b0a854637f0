package oauth

import (
	"context"

	"github.com/assentry/assentry/store"
)

// TokenFormat mints access tokens of one format, chosen per client. Opaque Bearer tokens are the only format
// today; RFC 9068 JWT access tokens and DPoP-bound tokens (RFC 9449, token_type DPoP) slot in here without
// touching the grants.
type TokenFormat interface {
	// Type is the token_type of the token response (RFC 6749 §7.1).
	Type() string
	// Mint returns the value of the access token t describes and sets t.ID, the id the store keeps it under.
	Mint(ctx context.Context, t *store.Token, client *store.Client) (string, error)
}

// opaqueFormat is 256 random bits with the at_ prefix, stored as its SHA-256 (RFC 6750 Bearer).
type opaqueFormat struct{}

func (opaqueFormat) Type() string { return TokenTypeBearer }

func (opaqueFormat) Mint(_ context.Context, t *store.Token, _ *store.Client) (string, error) {
	value, id := newSecret(PrefixAccessToken)
	t.ID = id
	return value, nil
}

// formatFor picks the access token format of a client.
func (p *Provider) formatFor(*store.Client) TokenFormat { return opaqueFormat{} }
