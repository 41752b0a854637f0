package interaction

import (
	"context"
	"errors"
	"net/http"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/themes"
)

// ConsentForm is a submitted consent form: Decision is "granted" or "denied", Scopes the boxes left checked.
type ConsentForm struct {
	Interaction string
	Decision    string
	Scopes      []string
}

// ConsentPage shows the consent step of an interaction. It re-runs the decision, so a consent that became
// unnecessary (or a session that ended) sends the browser on instead.
func (s *Service) ConsentPage(ctx context.Context, interactionID string, b Browser) (*Step, error) {
	ix, err := s.load(ctx, interactionID, b)
	if ix == nil || err != nil {
		return orUnknown(err)
	}
	return s.advance(ctx, ix, b, true)
}

// Consent takes the user's decision. It must come from the user the interaction is for: the one who logged in
// during it, or the one whose session it was advanced with, and whose session is still the browser's; otherwise
// the flow is advanced again (to the login page, or a new consent page for the user now signed in).
func (s *Service) Consent(ctx context.Context, f ConsentForm, b Browser) (*Step, error) {
	ix, err := s.load(ctx, f.Interaction, b)
	if ix == nil || err != nil {
		return orUnknown(err)
	}
	if !ix.LoggedIn {
		st, _, err := s.sessions.Lookup(ctx, b.Session)
		if errors.Is(err, session.ErrNoSession) || (err == nil && st.UserID != ix.UserID) {
			return s.advance(ctx, ix, b, false)
		}
		if err != nil {
			return nil, err
		}
	}
	var approve bool
	switch f.Decision {
	case "granted":
		approve = true
	case "denied":
	default:
		return messagePage(http.StatusBadRequest, oauth.CodeInvalidRequest, themes.MsgChooseConsent), nil
	}
	step, err := s.oauth.Decide(ctx, ix, approve, f.Scopes)
	return s.follow(ctx, ix, step, err)
}

// consentStep is the consent page with the scopes offered, each checked, and what a consent policy added:
// notices, extra data, scope texts, and another template of the theme (per-client branding). Page strings are
// escaped by the template engine. A device verification gets the device warning (RFC 8628 §5.4).
func (s *Service) consentStep(ix *store.Interaction, step *oauth.Step) *Step {
	p := &themes.Page{Client: PageClient(step.Client),
		User: &themes.User{Username: step.User.Username, Name: step.User.Name}, Interaction: ix.ID,
		Action: "/consent", Device: step.Device, RedirectHost: redirectHost(ix.RedirectURI),
		Resources: ix.Resources}
	// Without a client_uri, where the code goes is where the client is (ClientOrigin).
	p.Client.Origin = ClientOrigin(step.Client, ix.RedirectURI)
	template := "consent"
	var descriptions map[string]string
	if pg := step.Page; pg != nil {
		p.Notices, p.Extra, descriptions = pg.Notices, pg.Extra, pg.ScopeDescriptions
		if pg.Template != "" {
			template = pg.Template
		}
	}
	for _, name := range step.Offered {
		info, _ := s.oauth.Scopes.Lookup(name)
		if d, ok := descriptions[name]; ok {
			info.Description, info.Key = d, "" // the policy's words, not the catalog's
		}
		p.Scopes = append(p.Scopes, themes.Scope{Name: name, Title: info.Title, Description: info.Description,
			Checked: true, Fixed: oauth.Fixed(name), Key: info.Key})
	}
	st := localized(page(template, http.StatusOK, p), ix, step.User)
	if template != "consent" {
		st.Fallback = "consent"
	}
	return st
}
