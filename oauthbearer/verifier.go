package oauthbearer

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Verifier checks a bearer token and says what it stands for. Two implementations come with the package:
// Introspector asks the authorization server (RFC 7662), JWTVerifier checks a JWT access token locally
// (RFC 9068).
//
// Verify returns a *TokenError when the token is not valid (the client gets invalid_token); any other error
// means the token could not be checked (the authorization server is unreachable, answered garbage, ...), and the
// server should fail the exchange as a temporary failure rather than blame the token.
type Verifier interface {
	Verify(ctx context.Context, token string) (*Token, error)
}

// Token is what a verified access token stands for.
type Token struct {
	// Subject is the token's sub: the user's subject at the authorization server, or the client_id of a token a
	// client holds for itself (ForClient).
	Subject string
	// Username is the user's name at the authorization server (introspection's username; a JWT's
	// preferred_username, which Assentry's JWT access tokens do not carry: with them, Subject is the only name of
	// the user); empty for a client's own token.
	Username string
	// ForClient is true when the token has no user: it was issued to a client for itself (client credentials),
	// and Subject is that client. A server must not take such a subject for a user's (RFC 9700 §4.15).
	ForClient bool
	ClientID  string
	Scopes    []string
	Audience  []string
	Issuer    string
	// ID is the token's jti; with Assentry's introspection, the SHA-256 of the token, which names it without
	// revealing it (fit for a log line).
	ID       string
	IssuedAt time.Time
	Expiry   time.Time // zero: the token does not expire
}

// HasScope says whether the token carries scope s.
func (t *Token) HasScope(s string) bool { return slices.Contains(t.Scopes, s) }

// TokenError says why a token is not valid. It goes to the server's log; the client only learns invalid_token.
type TokenError struct {
	Reason string
}

func (e *TokenError) Error() string { return "invalid token: " + e.Reason }

func invalidToken(format string, args ...any) *TokenError {
	return &TokenError{Reason: fmt.Sprintf(format, args...)}
}
