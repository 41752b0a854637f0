package oauth

import (
	"context"
	"errors"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/store"
)

// Token type hints (RFC 7009 §2.1, RFC 7662 §2.1).
const (
	HintAccessToken  = "access_token"
	HintRefreshToken = "refresh_token"
)

// RevocationRequest is a request to the revocation endpoint (RFC 7009 §2.1): its parsed form parameters
// (token, token_type_hint) and the client's credentials.
type RevocationRequest struct {
	Params    Params
	Client    ClientCredentials
	Transport Transport
}

// Revoke serves RFC 7009. The client authenticates as at the token endpoint (a public client by its client_id
// alone, §5); then:
//   - token is required (invalid_request);
//   - token_type_hint is only a hint (§2.1) and is ignored: both kinds live in one table keyed by digest, so
//     there is no lookup to speed up, and since both kinds can be revoked unsupported_token_type never applies;
//   - an unknown, malformed, expired, revoked or rotated token is a success (§2.2: "invalid tokens do not
//     cause an error"), so the endpoint reveals nothing about token values;
//   - a token of another client is refused with unauthorized_client and nothing is revoked (§2.1,
//     docs/architecture.md §5);
//   - a refresh token (rotated ones included) revokes its grant, every token of the chain (§2.1: SHOULD also
//     invalidate the access tokens of the same grant); an access token is revoked alone.
//
// A nil error means the token is no longer usable and the write is durable: answer 200.
func (p *Provider) Revoke(ctx context.Context, r *RevocationRequest) *Error {
	client, e := p.AuthenticateClient(ctx, r.Client, r.Transport.ClientAddr)
	if e != nil {
		return e
	}
	value := r.Params["token"]
	if value == "" {
		return InvalidRequest("token is required")
	}
	id := Digest(value)
	tok, err := p.Tokens.Get(ctx, p.Host, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil && tok == nil:
		return ServerError(err)
	}
	// ErrRevoked and ErrAlreadyUsed come with the token: the ownership rule holds for them too, so another
	// client learns nothing about whether a token it does not own is still alive.
	if tok.ClientID != client.ID {
		return UnauthorizedClient("the token was not issued to this client")
	}
	switch {
	case errors.Is(err, store.ErrRevoked):
		return nil
	case tok.Kind == store.RefreshToken:
		err = p.Grants.Revoke(ctx, p.Host, tok.GrantID)
	default:
		err = p.Tokens.Revoke(ctx, p.Host, id)
	}
	if err != nil && !isGone(err) {
		return ServerError(err)
	}
	ev := events.Event{Kind: events.TokenRevoked, ClientKind: ClientKind(client), ClientID: client.ID,
		UserID: tok.UserID, GrantID: tok.GrantID, Reason: ReasonRevocationEndpoint}
	if tok.Kind == store.RefreshToken {
		ev.Scope = JoinScope(tok.Scopes) // the whole grant ended
	}
	p.emit(ctx, ev)
	return nil
}
