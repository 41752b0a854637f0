package oidc

import (
	"context"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
)

// Layer is the OpenID Connect layer of one host as the OAuth core sees it (oauth.OIDC): id_tokens at the token
// endpoint, the subject of users (and which client_ids could pass for one), and id_token_hint verification at
// the authorization endpoint.
type Layer struct {
	IDTokens *IDTokens
	Subjects Subjects
	Logout   *Logout
}

var _ oauth.OIDC = (*Layer)(nil)

// IDToken returns the id_token of a token response (IDTokens.OnTokens).
func (l *Layer) IDToken(ctx context.Context, t *oauth.IssuedTokens) (string, error) {
	return l.IDTokens.OnTokens(ctx, t)
}

// Subject returns the sub of a user.
func (l *Layer) Subject(u *store.User) string { return l.Subjects.Of(u) }

// SubjectCollides reports whether a client_id could be taken for a user's sub (Subjects.Collides).
func (l *Layer) SubjectCollides(clientID string) bool { return l.Subjects.Collides(clientID) }

// HintSubject verifies an id_token_hint and returns its sub (Logout.HintSubject).
func (l *Layer) HintSubject(ctx context.Context, hint string) (string, error) {
	return l.Logout.HintSubject(ctx, hint)
}
