package oauth

import (
	"context"

	"github.com/assentry/assentry/store"
)

// issueCode creates the grant that will own the token chain and its authorization code: 256 random bits,
// stored only as its digest, single use, bound to the client, redirect URI, PKCE challenge, scopes, nonce and
// auth time, living CodeTTL (RFC 6749 §4.1.2 recommends at most ten minutes; the default is 60 s).
func (p *Provider) issueCode(ctx context.Context, ix *store.Interaction, client *store.Client, user *store.User, scopes []string) (string, error) {
	now := p.now()
	g := &store.Grant{ID: newGrantID(), Host: p.Host, UserID: user.ID, ClientID: client.ID, Scopes: scopes,
		Resources: ix.Resources, AuthTime: ix.AuthTime, CreatedAt: now, ExpiresAt: now.Add(p.Settings.CodeTTL)}
	code, id := newSecret(PrefixCode)
	c := &store.Code{ID: id, Host: p.Host, GrantID: g.ID, ClientID: client.ID, UserID: user.ID,
		RedirectURI: ix.RedirectURI, RedirectURIGiven: ix.RedirectURIGiven, Scopes: scopes, Resources: ix.Resources,
		CodeChallenge: ix.CodeChallenge, CodeChallengeMethod: ix.CodeChallengeMethod, Nonce: ix.Nonce,
		AuthTime: ix.AuthTime, IssuedAt: now, ExpiresAt: now.Add(p.Settings.CodeTTL), DPoPJKT: ix.DPoPJKT}
	if err := p.Codes.Put(ctx, c, g); err != nil { // the code and its grant in one write
		return "", err
	}
	return code, nil
}
