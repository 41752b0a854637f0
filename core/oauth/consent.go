package oauth

import (
	"context"
	"errors"
	"slices"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/store"
)

// consentRemembered decides whether a remembered consent lets the code be issued without asking. Only when:
// prompt=consent was not asked; the redirect URI is an exact https URI (a loopback, private-use scheme or OOB
// redirect can be claimed by any app on the device, so the user is always asked: RFC 8252 §8.6); every scope
// offered is within what the user approved before; and offline_access is consented explicitly unless the
// remembered consent is of a confidential client (OIDC Core §11).
func (p *Provider) consentRemembered(ctx context.Context, ix *store.Interaction, client *store.Client, user *store.User, offered []string) bool {
	if HasPrompt(ix.Prompt, PromptConsent) || !IsExactHTTPS(ix.RedirectURI) {
		return false
	}
	if slices.Contains(offered, ScopeOfflineAccess) && client.TokenEndpointAuthMethod == AuthNone {
		return false
	}
	c, err := p.Consents.Get(ctx, p.Host, user.ID, client.ID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			p.log().Warn("reading a consent", "err", err)
		}
		return false
	}
	return Subset(offered, c.Scopes)
}

// remember adds the scopes the user approved to their consent for the client. A consent is what the user
// approved and outlives the grants it leads to (docs/architecture.md §3).
func (p *Provider) remember(ctx context.Context, userID, clientID string, scopes []string) error {
	now := p.now()
	c, err := p.Consents.Get(ctx, p.Host, userID, clientID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		c = &store.Consent{Host: p.Host, UserID: userID, ClientID: clientID, CreatedAt: now}
	case err != nil:
		return err
	}
	for _, s := range scopes {
		if !slices.Contains(c.Scopes, s) {
			c.Scopes = append(c.Scopes, s)
		}
	}
	c.UpdatedAt = now
	if err := p.Consents.Put(ctx, c); err != nil {
		return err
	}
	p.emit(ctx, events.Event{Kind: events.ConsentGiven, UserID: userID, ClientID: clientID, Scope: JoinScope(scopes)})
	return nil
}
