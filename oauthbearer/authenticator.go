package oauthbearer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Authenticator holds a server's rules for OAUTHBEARER: which Verifier checks tokens, which scopes and audience a
// token must carry, and what a failure tells the client. It is safe for concurrent use; each authentication runs
// in its own Exchange.
type Authenticator struct {
	// Verifier checks the token (required).
	Verifier Verifier
	// RequiredScopes must all be in the token's scope; a token without one fails with insufficient_scope.
	RequiredScopes []string
	// Audiences lists the values of which the token's aud must hold at least one: this server's identifiers.
	// Required unless the Verifier checks the audience itself (a JWTVerifier does, as RFC 9068 §4 requires) or
	// AllowAnyAudience is set: an authorization server issues tokens to many clients, and without this check
	// any of their tokens would sign in here. With Assentry's introspection, aud is the resource the token was
	// issued for (RFC 8707), or the client_id it was issued to when it names none, so list this server's
	// resource, or the clients whose tokens this server takes.
	Audiences []string
	// AllowAnyAudience accepts a token whatever its aud, for a server that really takes every token of the
	// authorization server (a single-client deployment); it must be set explicitly, never by omission.
	AllowAnyAudience bool
	// AllowClientTokens admits tokens that a client holds for itself (Token.ForClient, client credentials). By
	// default they are refused: a mail or chat account belongs to a user, and a client_id must not pass for a
	// username (RFC 9700 §4.15).
	AllowClientTokens bool
	// MatchAuthzid decides whether the token may act as the authorization identity the client named. Nil: the
	// authzid must equal the token's Username or its Subject. An XMPP server whose clients name their bare JID
	// (alice@example.net) while Assentry's usernames are local parts sets one that compares the local part and
	// the domain.
	MatchAuthzid func(authzid string, t *Token) bool
	// OpenIDConfiguration is the URL of the authorization server's discovery document, sent in every failure
	// so that the client can find where to get a token (RFC 7628 §3.2.2); optional.
	OpenIDConfiguration string
}

// Identity is who authenticated: the authorization identity the server should act as, and the token.
type Identity struct {
	// Authzid is the identity the client named, or, when it named none, the token's Username (its Subject for a
	// client's own token).
	Authzid string
	Token   *Token
}

// audienceVerifier is a Verifier that checks the token's audience itself (JWTVerifier).
type audienceVerifier interface{ checksAudience() bool }

// Validate reports a misconfigured Authenticator: no Verifier, or no audience rule (neither Audiences, nor a
// Verifier that checks the audience, nor AllowAnyAudience). Call it at start; Authenticate returns the same
// error, so a server that does not fails every exchange rather than letting any client's token in.
func (a *Authenticator) Validate() error {
	if a.Verifier == nil {
		return errors.New("oauthbearer: the Authenticator has no Verifier")
	}
	if av, ok := a.Verifier.(audienceVerifier); len(a.Audiences) == 0 && !a.AllowAnyAudience && !(ok && av.checksAudience()) {
		return errors.New("oauthbearer: the Authenticator needs Audiences (this server's identifiers, which a " +
			"token's aud must name) or AllowAnyAudience: true; without either any client's token would sign in")
	}
	return nil
}

// Authenticate checks an initial response: the token with the Verifier, then the server's rules. It returns a
// *Failure for anything the client should hear about (RFC 7628 §3.2.2), and another error when the token could
// not be checked or the Authenticator is misconfigured (Validate).
func (a *Authenticator) Authenticate(ctx context.Context, r *InitialResponse) (*Identity, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	tok, err := a.Verifier.Verify(ctx, r.Token)
	var te *TokenError
	switch {
	case errors.As(err, &te):
		return nil, a.failure(StatusInvalidToken, te.Reason)
	case err != nil:
		return nil, fmt.Errorf("oauthbearer: checking the token: %w", err)
	}
	if tok.ForClient && !a.AllowClientTokens {
		return nil, a.failure(StatusInvalidToken, "the token is a client's own (no user), client "+tok.ClientID)
	}
	if len(a.Audiences) > 0 && !slices.ContainsFunc(tok.Audience, func(aud string) bool { return slices.Contains(a.Audiences, aud) }) {
		return nil, a.failure(StatusInvalidToken, fmt.Sprintf("the token's audience %q is none of %q", tok.Audience, a.Audiences))
	}
	for _, s := range a.RequiredScopes {
		if !tok.HasScope(s) {
			return nil, a.failure(StatusInsufficientScope, fmt.Sprintf("the token lacks the scope %q", s))
		}
	}
	id := &Identity{Authzid: tok.Username, Token: tok}
	if id.Authzid == "" {
		id.Authzid = tok.Subject
	}
	if r.Authzid != "" {
		// RFC 4422 §3.4.1: the server must not act as an authorization identity the credentials do not allow.
		if !a.matchAuthzid(r.Authzid, tok) {
			return nil, a.failure(StatusInvalidRequest, fmt.Sprintf("the authzid %q is not the token's (username %q, sub %q)", r.Authzid, tok.Username, tok.Subject))
		}
		id.Authzid = r.Authzid
	}
	return id, nil
}

func (a *Authenticator) matchAuthzid(authzid string, tok *Token) bool {
	if a.MatchAuthzid != nil {
		return a.MatchAuthzid(authzid, tok)
	}
	return tok.Username != "" && authzid == tok.Username || authzid == tok.Subject
}

// failure builds the Failure of this server: its scope and discovery URL, and the reason for the log.
func (a *Authenticator) failure(status, reason string) *Failure {
	return &Failure{Status: status, Scope: strings.Join(a.RequiredScopes, " "),
		OpenIDConfiguration: a.OpenIDConfiguration, Reason: reason}
}
