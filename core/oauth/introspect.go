package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/store"
)

// IntrospectionRequest is a request to the introspection endpoint (RFC 7662 §2.1): its parsed form parameters
// (token, token_type_hint) and the client's credentials.
type IntrospectionRequest struct {
	Params    Params
	Client    ClientCredentials
	Transport Transport
}

// SubTypeClient is the introspection member sub_type of a token whose sub is a client_id (IntrospectionResponse).
const SubTypeClient = "client"

// IntrospectionResponse is RFC 7662 §2.2. An inactive token is only {"active": false}: every other member is
// omitted, so nothing is revealed about why.
type IntrospectionResponse struct {
	Active   bool   `json:"active"`
	Scope    string `json:"scope,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	Username string `json:"username,omitempty"`
	// TokenType is "Bearer" for an access token and absent for a refresh token: RFC 7662 §2.2 takes its values
	// from the access token types of RFC 6749 §7.1, and a refresh token has none. A resource server that checks
	// token_type == "Bearer" (as it should) thus never takes a refresh token for an access token.
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"` // Unix seconds; absent for a token that never expires
	Iat       int64  `json:"iat,omitempty"`
	// Sub is the user's subject, the same as the id_token's (Provider.SubjectOf: the immutable id by default), or
	// the client_id of a token a client holds for itself (client credentials), which has no user.
	Sub string `json:"sub,omitempty"`
	// SubType is "client" when Sub is a client_id rather than a user's subject (SubTypeClient); absent for a
	// user's token. RFC 7662 has no member for it (§2.2 allows others): a resource server must not take a client
	// for a user (RFC 9700 §4.15), and such a token has no username either.
	SubType string `json:"sub_type,omitempty"`
	// Aud is the token's audience (RFC 7662 §2.2): the resources it was issued for (RFC 8707), or the client it
	// was issued to when it names none.
	Aud Audience `json:"aud,omitempty"`
	Iss string   `json:"iss,omitempty"`
	// Jti identifies the token without revealing it: a JWT access token's own jti (RFC 9068 §2.2), else the
	// stored token id (the SHA-256 of the value).
	Jti string `json:"jti,omitempty"`
	// Cnf names the DPoP key a bound token is bound to (RFC 9449 §6.2); absent for a bearer token.
	Cnf *Confirmation `json:"cnf,omitempty"`
}

// Introspect serves RFC 7662. The caller must authenticate as a confidential client (§2.1: the endpoint MUST
// require authorization; a public client's id is no credential, so `none` clients get invalid_client). A
// client may introspect the tokens issued to it; a client with the introspect permission (a resource server)
// any token of the host. token_type_hint is ignored, as at revocation. Any token that is unknown, expired,
// revoked, rotated, of a revoked grant, of a disabled or deleted user, or not the caller's to see is inactive.
func (p *Provider) Introspect(ctx context.Context, r *IntrospectionRequest) (*IntrospectionResponse, *Error) {
	out, client, e := p.introspect(ctx, r)
	if e == nil {
		// Who asked about which token; the answer's subject only when the token was active.
		ev := events.Event{Kind: events.TokenIntrospect, ClientKind: ClientKind(client), ClientID: client.ID,
			Outcome: "inactive"}
		if out.Active {
			ev.Outcome, ev.Scope, ev.Username = "active", out.Scope, out.Username
		}
		p.emit(ctx, ev)
	}
	return out, e
}

func (p *Provider) introspect(ctx context.Context, r *IntrospectionRequest) (*IntrospectionResponse, *store.Client, *Error) {
	client, e := p.AuthenticateClient(ctx, r.Client, r.Transport.ClientAddr)
	if e != nil {
		return nil, nil, e
	}
	if client.TokenEndpointAuthMethod == AuthNone {
		return nil, nil, clientFailed(false, "public clients may not use token introspection", "none client at introspection")
	}
	value := r.Params["token"]
	if value == "" {
		return nil, nil, InvalidRequest("token is required")
	}
	inactive := &IntrospectionResponse{Active: false}
	tok, err := p.Tokens.Get(ctx, p.Host, Digest(value))
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrRevoked), errors.Is(err, store.ErrAlreadyUsed):
		return inactive, client, nil
	case err != nil:
		return nil, nil, ServerError(err)
	}
	if tok.ClientID != client.ID && !client.Introspect {
		return inactive, client, nil
	}
	now := p.now()
	if !tok.ExpiresAt.IsZero() && !now.Before(tok.ExpiresAt) {
		return inactive, client, nil
	}
	out := &IntrospectionResponse{Active: true, Scope: JoinScope(tok.Scopes), ClientID: tok.ClientID,
		Iat: tok.IssuedAt.Unix(), Aud: Audience{tok.ClientID}, Iss: p.Settings.Issuer, Jti: tok.ID}
	if id := jwtID(value); tok.Kind == store.AccessToken && id != "" {
		out.Jti = id // the same jti as in the JWT the resource server may also verify locally
	}
	if tok.Kind == store.AccessToken && len(tok.Audience) > 0 {
		// A refresh token's Audience are the resources it may be redeemed for; it is used here, so aud stays
		// the client.
		out.Aud = slices.Clone(tok.Audience)
	}
	if !tok.ExpiresAt.IsZero() {
		out.Exp = tok.ExpiresAt.Unix()
	}
	if tok.Kind == store.AccessToken {
		out.TokenType = TokenTypeBearer
	}
	if tok.JKT != "" {
		// RFC 9449 §6.2: the resource server checks the proof's key against cnf.jkt.
		out.Cnf = &Confirmation{JKT: tok.JKT}
		if tok.Kind == store.AccessToken {
			out.TokenType = TokenTypeDPoP
		}
	}
	if tok.UserID == "" {
		// A client's own token (client credentials): the client is the subject.
		out.Sub, out.SubType = tok.ClientID, SubTypeClient
		return out, client, nil
	}
	u, err := p.Users.Get(ctx, p.Host, tok.UserID)
	switch {
	case isGone(err):
		return inactive, client, nil
	case err != nil:
		return nil, nil, ServerError(err)
	case u.Disabled:
		return inactive, client, nil
	}
	out.Username, out.Sub = u.Username, p.SubjectOf(u)
	// A resource server sees the roles the user holds now, not those held when the token was issued.
	out.Scope = JoinScope(p.heldScopes(tok.Scopes, u))
	return out, client, nil
}

// Audience is an aud member: one value as a string, several as an array (RFC 7519 §4.1.3, RFC 7662 §2.2).
type Audience []string

// MarshalJSON writes one audience as a string and several as an array.
func (a Audience) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

// UnmarshalJSON reads either form.
func (a *Audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = Audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}
