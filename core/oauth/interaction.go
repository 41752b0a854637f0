package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"github.com/assentry/assentry/policy"
	"slices"
	"time"

	"github.com/assentry/assentry/store"
)

// InteractionTTL bounds how long a user may take between the authorization request and the consent.
const InteractionTTL = 30 * time.Minute

// StartInteraction makes the record of a validated request bound to a browser (by the digest of its CSRF
// cookie), so the login and consent forms carry only the interaction id, and a flow started in one browser
// cannot be finished in another. It is stored only when the flow needs the browser again (Advance: login or
// consent); a silent authorization ends without storing it.
func (p *Provider) StartInteraction(_ context.Context, r *AuthorizeRequest, browser string) (*store.Interaction, error) {
	now := p.now()
	ix := &store.Interaction{
		ID: newInteractionID(), Host: p.Host, Browser: Digest(browser), ClientID: r.Client.ID,
		RedirectURI: r.RedirectURI, RedirectURIGiven: r.RedirectURIGiven, ResponseType: r.ResponseType,
		Scopes: r.Scopes, Resources: r.Resources, State: r.State, Nonce: r.Nonce, CodeChallenge: r.CodeChallenge,
		CodeChallengeMethod: r.CodeChallengeMethod, Prompt: r.Prompt, MaxAge: r.MaxAge, LoginHint: r.LoginHint, UILocales: r.UILocales,
		IDTokenHintSub: r.IDTokenHintSub, DPoPJKT: r.DPoPJKT,
		CreatedAt: now, ExpiresAt: now.Add(InteractionTTL),
	}
	return ix, nil
}

// keep stores an interaction that the browser will come back with (the login or consent page), once.
func (p *Provider) keep(ctx context.Context, ix *store.Interaction) error {
	if ix.Stored {
		return nil
	}
	if err := p.Interactions.Put(ctx, ix); err != nil {
		return err
	}
	ix.Stored = true
	return nil
}

// newInteractionID returns 256 random bits, base64url: an interaction id is a bearer of the flow in its forms.
func newInteractionID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ErrUnknownInteraction: the interaction id is unknown, expired, already finished, or belongs to another
// browser.
var ErrUnknownInteraction = errors.New("unknown or expired authorization request")

// LoadInteraction returns a live interaction of this browser.
func (p *Provider) LoadInteraction(ctx context.Context, id, browser string) (*store.Interaction, error) {
	if id == "" {
		return nil, ErrUnknownInteraction
	}
	ix, err := p.Interactions.Get(ctx, p.Host, id)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrAlreadyUsed) {
		return nil, ErrUnknownInteraction
	}
	if err != nil {
		return nil, err
	}
	// A pushed request (pushed.go) has no browser yet, and its id is the digest of a request_uri: never a flow.
	if ix.Request != nil || !CheckClientSecret(ix.Browser, browser) {
		return nil, ErrUnknownInteraction
	}
	ix.Stored = true
	return ix, nil
}

// LoggedIn records that the user entered their password during this interaction: it satisfies prompt=login
// and max_age for this request.
func (p *Provider) LoggedIn(ctx context.Context, ix *store.Interaction, userID string) error {
	ix.UserID, ix.AuthTime, ix.LoggedIn = userID, p.now(), true
	if err := p.Interactions.Put(ctx, ix); err != nil {
		return err
	}
	ix.Stored = true
	return nil
}

// StepKind is what the browser must do next in an authorization.
type StepKind int

// The steps of an authorization.
const (
	StepLogin      StepKind = iota + 1 // show the login page
	StepConsent                        // show the consent page
	StepDone                           // send the browser to Location (or show Code for the OOB redirect)
	StepDeviceDone                     // a device verification ended: Approved or denied
)

// Step is the outcome of Advance or Decide.
type Step struct {
	Kind     StepKind
	Location string              // StepDone: the redirect with code, state and iss
	Code     string              // StepDone with the OOB redirect: the code to show
	Client   *store.Client       // StepConsent: the client, for the page
	User     *store.User         // StepConsent: the signed-in user
	Offered  []string            // StepConsent: the scopes to ask for
	Page     *policy.ConsentPage // StepConsent: what a consent policy adds to the page (template, notices, ...)
	Device   bool                // StepConsent: the consent approves a device (RFC 8628 §5.4: warn the user)
	Approved bool                // StepDeviceDone: the user approved the device
}

// Session is what Advance needs of the browser's login session (nil: not signed in).
type Session struct {
	UserID   string
	AuthTime time.Time
	// User is the session's user as the session lookup just read it (live, not disabled), when the caller has
	// it: Advance then does not read it again.
	User *store.User
}

// Advance takes an interaction as far as it can go without the user: it decides whether a login is needed
// (no session, prompt=login, max_age exceeded: OIDC Core §3.1.2.1), which scopes can be granted, and whether a
// remembered consent lets the code be issued at once. prompt=none turns a needed login or consent into
// login_required / consent_required.
func (p *Provider) Advance(ctx context.Context, ix *store.Interaction, sess *Session) (*Step, error) {
	client, err := p.interactionClient(ctx, ix)
	if err != nil {
		return nil, err
	}
	if !ix.LoggedIn {
		// A session is enough unless prompt=login, max_age is exceeded, or an id_token_hint names another user
		// (OIDC Core §3.1.2.1; with prompt=none all three answer login_required).
		fresh := sess != nil && !HasPrompt(ix.Prompt, PromptLogin) &&
			(ix.MaxAge < 0 || !p.now().After(sess.AuthTime.Add(time.Duration(ix.MaxAge)*time.Second))) &&
			(ix.IDTokenHintSub == "" || p.hintMatches(ctx, ix.IDTokenHintSub, sess.UserID))
		if !fresh {
			if HasPrompt(ix.Prompt, PromptNone) {
				return nil, p.redirectError(ix, client, LoginRequired("the user is not signed in"))
			}
			if err := p.keep(ctx, ix); err != nil {
				return nil, err
			}
			return &Step{Kind: StepLogin}, nil
		}
		if ix.UserID != sess.UserID || !ix.AuthTime.Equal(sess.AuthTime) {
			ix.UserID, ix.AuthTime = sess.UserID, sess.AuthTime
			if ix.Stored { // one not stored yet is stored with these if it needs to be (keep)
				if err := p.Interactions.Put(ctx, ix); err != nil {
					return nil, err
				}
			}
		}
	}
	var user *store.User
	if sess != nil && sess.User != nil && sess.User.ID == ix.UserID && !sess.User.Disabled {
		user = sess.User
	} else {
		user, err = p.Users.Get(ctx, p.Host, ix.UserID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && user.Disabled) {
			return nil, p.redirectError(ix, client, AccessDenied("the account is not active"))
		}
		if err != nil {
			return nil, err
		}
	}
	offered, resources, _, e := p.grantScopes(ctx, interactionFlow(ix), client, user, ix.Scopes, ix.Resources)
	if e != nil {
		return nil, p.redirectError(ix, client, e)
	}
	ix.Resources = resources // the code's grant gets what the policy left of them
	decision, e := p.consentDecision(ctx, ix, client, user, offered)
	if e != nil {
		return nil, p.redirectError(ix, client, e)
	}
	if ix.DeviceCodeID != "" && decision.Decision == policy.DecisionApprove {
		// RFC 8628 §5.4: a user code can be phished (an attacker starts the flow and sends the victim the code),
		// so the user always sees what they approve; no remembered consent or policy skips that.
		decision.Decision = policy.DecisionAsk
	}
	switch decision.Decision {
	case policy.DecisionApprove:
		if decision.Remember != nil && *decision.Remember {
			if err := p.remember(ctx, user.ID, client.ID, offered); err != nil {
				return nil, err
			}
		}
		return p.finish(ctx, ix, client, user, offered)
	case policy.DecisionDeny:
		desc := decision.ErrorDescription
		if desc == "" {
			desc = "a policy denied the request"
		}
		return nil, p.redirectError(ix, client, AccessDenied(desc))
	case policy.DecisionConsentRequired:
		return nil, p.redirectError(ix, client, ConsentRequired("the user has not approved this application"))
	}
	if err := p.keep(ctx, ix); err != nil {
		return nil, err
	}
	return &Step{Kind: StepConsent, Client: client, User: user, Offered: offered, Page: decision.Page,
		Device: ix.DeviceCodeID != ""}, nil
}

// Decide completes the consent step: the user approved or denied. The scopes granted are those the user left
// checked among those offered (a forged form cannot add any), and they are remembered as the user's consent.
func (p *Provider) Decide(ctx context.Context, ix *store.Interaction, approve bool, checked []string) (*Step, error) {
	client, err := p.interactionClient(ctx, ix)
	if err != nil {
		return nil, err
	}
	if !approve {
		if _, err := p.Interactions.Consume(ctx, p.Host, ix.ID); err != nil {
			return nil, ErrUnknownInteraction
		}
		if ix.DeviceCodeID != "" {
			return p.decideDevice(ctx, ix, client, nil, nil, false)
		}
		return nil, p.redirectError(ix, client, AccessDenied("the user denied the request"))
	}
	user, err := p.Users.Get(ctx, p.Host, ix.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && user.Disabled) {
		return nil, p.redirectError(ix, client, AccessDenied("the account is not active"))
	}
	if err != nil {
		return nil, err
	}
	offered, resources, _, e := p.grantScopes(ctx, interactionFlow(ix), client, user, ix.Scopes, ix.Resources)
	if e != nil {
		return nil, p.redirectError(ix, client, e)
	}
	ix.Resources = resources // the code's grant gets what the policy left of them
	var granted []string
	for _, s := range offered {
		// A fixed scope (openid) comes with the approval: a form that left it out, forged or from an old theme,
		// still signs the user in rather than turning an OpenID request into a plain OAuth one (Fixed).
		if slices.Contains(checked, s) || Fixed(s) {
			granted = append(granted, s)
		}
	}
	if err := p.remember(ctx, user.ID, client.ID, granted); err != nil {
		return nil, err
	}
	return p.finish(ctx, ix, client, user, granted)
}

// finish ends the interaction (once: a replayed consent form finds it used) and issues the code. An interaction
// that was never stored (a silent authorization) has no form to replay and nothing to end.
func (p *Provider) finish(ctx context.Context, ix *store.Interaction, client *store.Client, user *store.User, scopes []string) (*Step, error) {
	if ix.Stored {
		if _, err := p.Interactions.Consume(ctx, p.Host, ix.ID); err != nil {
			if errors.Is(err, store.ErrAlreadyUsed) || errors.Is(err, store.ErrNotFound) {
				return nil, ErrUnknownInteraction
			}
			return nil, err
		}
	}
	switch {
	case ix.DeviceCodeID != "":
		return p.decideDevice(ctx, ix, client, user, scopes, true)
	case ix.ResponseType == ResponseTypeToken:
		return p.issueImplicit(ctx, ix, client, user, scopes)
	}
	code, err := p.issueCode(ctx, ix, client, user, scopes)
	if err != nil {
		return nil, err
	}
	if ix.RedirectURI == OOBRedirect {
		return &Step{Kind: StepDone, Code: code, Client: client}, nil
	}
	loc := AddQuery(ix.RedirectURI, map[string][]string{"code": {code}, "state": {ix.State}, "iss": {p.Settings.Issuer}})
	return &Step{Kind: StepDone, Location: loc, Client: client}, nil
}

// interactionFlow is scope_policy's flow for the scopes an interaction offers: the flow its tokens will be issued
// in, so a policy decides the consent page and the issuance alike.
func interactionFlow(ix *store.Interaction) string {
	switch {
	case ix.DeviceCodeID != "":
		return policy.FlowDeviceCode
	case ix.ResponseType == ResponseTypeToken:
		return policy.FlowImplicit
	}
	return policy.FlowAuthorizationCode
}

// hintMatches reports whether the id_token_hint's subject is the session's user.
func (p *Provider) hintMatches(ctx context.Context, sub, userID string) bool {
	u, err := p.Users.Get(ctx, p.Host, userID)
	return err == nil && p.SubjectOf(u) == sub
}

// interactionClient returns the client of an interaction; a client deleted meanwhile ends the flow.
func (p *Provider) interactionClient(ctx context.Context, ix *store.Interaction) (*store.Client, error) {
	client, err := p.Clients.Get(ctx, ix.ClientID)
	if errors.Is(err, ErrClientNotFound) || errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnknownInteraction
	}
	return client, err
}

func (p *Provider) redirectError(ix *store.Interaction, client *store.Client, e *Error) *RedirectError {
	return &RedirectError{Err: e, Client: client, RedirectURI: ix.RedirectURI, State: ix.State, Prompt: ix.Prompt,
		Fragment: ix.ResponseType == ResponseTypeToken}
}

// ErrorLocation is the redirect of an authorization error: error, error_description, state and iss in the
// query (RFC 6749 §4.1.2.1, RFC 9207 §2), or in the fragment for the implicit grant (§4.2.2.1). The
// description is cleaned once more (CleanDescription): RFC 6749 §4.1.2.1 allows only %x20-21 / %x23-5B /
// %x5D-7E, whoever built the *Error.
func (p *Provider) ErrorLocation(e *RedirectError) string {
	params := map[string][]string{"error": {e.Err.Code}, "error_description": {CleanDescription(e.Err.Description)},
		"state": {e.State}, "iss": {p.Settings.Issuer}}
	if e.Fragment {
		return WithFragment(e.RedirectURI, params)
	}
	return AddQuery(e.RedirectURI, params)
}
