package interaction

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/themes"
)

// An application on the account page is one client taken together: every live grant of the user to it (each
// authorization made one, and owns a chain of tokens) and the remembered consent. Its dates come from those
// records alone, so using an application never writes anything for the page: FirstUsed is the oldest grant or
// consent, LastUsed the newest of a consent update, a grant's creation and a grant's UsedAt, the last issuance
// of tokens the grant records. The store rewrites a grant when a token outlives its day-rounded expiry
// (store.GrantDay) and records the issuance then, so LastUsed is the last sign-in or token refresh to within a
// day, at no write of its own.

// family is what the user gave one client.
type family struct {
	clientID string
	grants   []*store.Grant
	consent  *store.Consent
}

// families collects the user's grants and consents by client.
func (s *Service) families(ctx context.Context, userID string) (map[string]*family, error) {
	grants, err := s.oauth.Grants.ListByUser(ctx, s.oauth.Host, userID)
	if err != nil {
		return nil, err
	}
	consents, err := s.oauth.Consents.ListByUser(ctx, s.oauth.Host, userID)
	if err != nil {
		return nil, err
	}
	out := map[string]*family{}
	get := func(id string) *family {
		f, ok := out[id]
		if !ok {
			f = &family{clientID: id}
			out[id] = f
		}
		return f
	}
	for _, g := range grants {
		f := get(g.ClientID)
		f.grants = append(f.grants, g)
	}
	for _, c := range consents {
		get(c.ClientID).consent = c
	}
	return out, nil
}

// applications lists what the user authorized, most recently used first.
func (s *Service) applications(ctx context.Context, userID string) ([]themes.Application, error) {
	fams, err := s.families(ctx, userID)
	if err != nil {
		return nil, err
	}
	apps := make([]themes.Application, 0, len(fams))
	for _, f := range fams {
		apps = append(apps, s.application(ctx, f))
	}
	slices.SortFunc(apps, func(a, b themes.Application) int {
		if c := b.LastUsed.Compare(a.LastUsed); c != 0 {
			return c
		}
		return cmp.Compare(a.Client.ID, b.Client.ID)
	})
	return apps, nil
}

// application is one family as the page shows it. A client that is gone (deleted, or a registered one that no
// longer verifies) is listed by its id, so what is left of its grants can still be removed.
func (s *Service) application(ctx context.Context, f *family) themes.Application {
	app := themes.Application{Client: &themes.Client{ID: f.clientID}}
	client, err := s.oauth.Clients.Get(ctx, f.clientID)
	switch {
	case err == nil:
		app.Client = PageClient(client)
		app.Origin = ClientOrigin(client, client.RedirectURIs...) // as the consent page shows it
	case !errors.Is(err, oauth.ErrClientNotFound) && !errors.Is(err, store.ErrNotFound):
		s.log.Warn("account page: looking up a client", "err", err, "client_id", f.clientID)
	}
	var scopes []string
	var first, last time.Time
	seen := func(created time.Time, used ...time.Time) {
		if first.IsZero() || (!created.IsZero() && created.Before(first)) {
			first = created
		}
		for _, u := range append(used, created) {
			if u.After(last) {
				last = u
			}
		}
	}
	if c := f.consent; c != nil {
		scopes = append(scopes, c.Scopes...)
		seen(c.CreatedAt, c.UpdatedAt)
	}
	for _, g := range f.grants {
		for _, sc := range g.Scopes {
			if !slices.Contains(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
		for _, r := range g.Resources {
			if !slices.Contains(app.Resources, r) {
				app.Resources = append(app.Resources, r)
			}
		}
		seen(g.CreatedAt, g.UsedAt)
	}
	app.FirstUsed, app.LastUsed = first, last
	for _, name := range scopes {
		info, _ := s.oauth.Scopes.Lookup(name)
		app.Scopes = append(app.Scopes, themes.Scope{Name: name, Title: info.Title, Description: info.Description, Key: info.Key})
	}
	return app
}

// AccountRevoke ends the user's authorization of one client: every grant of the user to it (each token chain is
// inactive from that write on, for introspection, refresh and userinfo alike) and the remembered consent, so the
// client must ask again. Each ended grant is reported as token.revoked and the consent as consent.withdrawn.
func (s *Service) AccountRevoke(ctx context.Context, clientID string, b Browser) (*Step, error) {
	_, u, err := s.accountUser(ctx, b)
	if u == nil || err != nil {
		return signInFirst(err)
	}
	fams, err := s.families(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	f := fams[clientID]
	if clientID == "" || f == nil {
		return redirect(themes.AccountPath), nil // nothing (left) to revoke: the page shows what there is
	}
	em := s.oauth.Emitter()
	base := events.Event{UserID: u.ID, Username: u.Username, ClientID: clientID, IP: b.Addr,
		Reason: accountReasonRevoked}
	// The consent goes first: once it is gone no new grant is made without asking, then the grants end.
	if c := f.consent; c != nil {
		err := s.oauth.Consents.Delete(ctx, s.oauth.Host, u.ID, clientID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		e := base
		e.Kind, e.Scope = events.ConsentWithdrawn, oauth.JoinScope(c.Scopes)
		em.Emit(ctx, e)
	}
	for _, g := range f.grants {
		err := s.oauth.Grants.Revoke(ctx, s.oauth.Host, g.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		e := base
		e.Kind, e.GrantID, e.Scope = events.TokenRevoked, g.ID, oauth.JoinScope(g.Scopes)
		em.Emit(ctx, e)
	}
	s.log.Info("account: application revoked", "user_id", u.ID, "client_id", clientID, "grants", len(f.grants),
		"consent", f.consent != nil, "ip", b.Addr)
	return accountDone(accountDoneRevoked, nil), nil
}
