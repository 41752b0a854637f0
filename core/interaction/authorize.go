package interaction

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/themes"
)

// Authorize serves an authorization request (RFC 6749 §3.1; its query or form, decoded): it is validated,
// recorded as an interaction bound to this browser, and advanced to the login page, the consent page, or
// straight back to the client with a code.
func (s *Service) Authorize(ctx context.Context, values url.Values, b Browser) (*Step, error) {
	params, perr := oauth.ParseParams(values)
	if perr != nil {
		return errorPage(perr.Status, perr.Code, perr.Description, nil), nil
	}
	r, err := s.oauth.ParseAuthorize(ctx, params)
	if err != nil {
		st, err := s.failure(err, false)
		if st != nil {
			st.UILocales = params["ui_locales"]
		}
		return st, err
	}
	ix, err := s.oauth.StartInteraction(ctx, r, b.CSRF)
	if err != nil {
		return nil, err
	}
	return s.advance(ctx, ix, b, false)
}

// load returns the live interaction id of this browser; nil with no error when there is none (the caller shows
// unknownInteraction).
func (s *Service) load(ctx context.Context, id string, b Browser) (*store.Interaction, error) {
	ix, err := s.oauth.LoadInteraction(ctx, id, b.CSRF)
	if errors.Is(err, oauth.ErrUnknownInteraction) {
		return nil, nil
	}
	return ix, err
}

// advance moves an interaction on with the browser's login session. A consent step is rendered only on the
// consent page itself (onConsentPage); elsewhere the browser is sent there, so a reload never re-posts a form.
func (s *Service) advance(ctx context.Context, ix *store.Interaction, b Browser, onConsentPage bool) (*Step, error) {
	var sess *oauth.Session
	if !ix.LoggedIn {
		st, u, err := s.sessions.Lookup(ctx, b.Session)
		switch {
		case err == nil:
			sess = &oauth.Session{UserID: st.UserID, AuthTime: st.AuthTime, User: u}
		case !errors.Is(err, session.ErrNoSession):
			return nil, err
		}
	}
	step, err := s.oauth.Advance(ctx, ix, sess)
	if err == nil && step.Kind == oauth.StepConsent && !onConsentPage {
		return redirect("/consent?interaction=" + url.QueryEscape(ix.ID)), nil
	}
	return s.follow(ctx, ix, step, err)
}

// follow turns the core's next step into what the browser gets.
func (s *Service) follow(ctx context.Context, ix *store.Interaction, step *oauth.Step, err error) (*Step, error) {
	if err != nil {
		st, err := s.failure(err, ix.UserID != "")
		return localized(st, ix, nil), err
	}
	switch step.Kind {
	case oauth.StepLogin:
		return redirect("/login?interaction=" + url.QueryEscape(ix.ID)), nil
	case oauth.StepConsent:
		return s.consentStep(ix, step), nil
	case oauth.StepDeviceDone:
		return localized(deviceDone(step), ix, step.User), nil
	}
	if step.Code != "" {
		return localized(page("oob", http.StatusOK, &themes.Page{Client: PageClient(step.Client), Code: step.Code}),
			ix, step.User), nil
	}
	return redirect(step.Location), nil
}

// failure delivers an authorization error. Errors found before the client and its redirect URI were verified
// are shown; later ones are redirected with error, state and iss, except that an untrusted client gets a page
// with a link back while the user has not authenticated (RFC 9700 §4.11.2), unless the request was prompt=none,
// which answers by redirect (OIDC Core §3.1.2.6) when the redirect can be trusted (redirectsPromptNone). A device
// verification has no redirect: its errors are shown.
func (s *Service) failure(err error, authenticated bool) (*Step, error) {
	var se *oauth.ShowError
	var re *oauth.RedirectError
	switch {
	case errors.As(err, &se):
		if se.Err.ServerFailure() {
			return nil, se.Err // the HTTP layer logs it and shows a generic page with its status
		}
		return errorPage(se.Err.Status, se.Err.Code, se.Err.Description, homeLink(se.Client)), nil
	case errors.Is(err, oauth.ErrUnknownInteraction):
		return unknownInteraction(), nil
	case errors.Is(err, oauth.ErrUnknownUserCode):
		return messagePage(http.StatusBadRequest, "invalid_request", themes.MsgDeviceUnknownCode), nil
	case !errors.As(err, &re):
		return nil, err
	}
	if re.Err.ServerFailure() {
		// RFC 6749 §4.1.2.1: the client learns server_error; the cause is for the operator only.
		s.log.Error("authorization failed", "err", re.Err.Unwrap(), "client_id", re.Client.ID)
	}
	if re.RedirectURI == "" || re.RedirectURI == oauth.OOBRedirect ||
		(re.Client.Untrusted && !authenticated && !redirectsPromptNone(re)) {
		return errorPage(re.Err.Status, re.Err.Code, re.Err.Description, returnLink(re.Client, re.RedirectURI)), nil
	}
	return redirect(s.oauth.ErrorLocation(re)), nil
}

// redirectsPromptNone reports whether an untrusted client's error before sign-in is redirected: only for
// prompt=none, and for a metadata document client only to a redirect URI on its client_id URL's origin. Anyone
// can publish a metadata document naming any redirect URI, so a prompt=none request would otherwise make this
// server an open redirector (RFC 9700 §4.11.2); a redirect on the document's own origin goes nowhere its
// publisher does not control. A registered client's redirect URIs were accepted by the registration rules
// and policy, and it can be banned, so it keeps OIDC's prompt=none semantics.
func redirectsPromptNone(re *oauth.RedirectError) bool {
	if !oauth.HasPrompt(re.Prompt, oauth.PromptNone) {
		return false
	}
	return !re.Client.MetadataDocument || sameOrigin(re.RedirectURI, re.Client.ID)
}

// sameOrigin reports whether two URLs have the same origin (RFC 6454 §4: scheme, host and port).
func sameOrigin(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && ua.Host != "" && strings.EqualFold(ua.Scheme, ub.Scheme) &&
		strings.EqualFold(ua.Hostname(), ub.Hostname()) && originPort(ua) == originPort(ub)
}

// originPort is a URL's port, the scheme's default when it names none.
func originPort(u *url.URL) string {
	switch p := u.Port(); {
	case p != "":
		return p
	case strings.EqualFold(u.Scheme, "https"):
		return "443"
	case strings.EqualFold(u.Scheme, "http"):
		return "80"
	}
	return ""
}

// returnLink points back to the client's site: ClientHome, else the origin of its (verified) redirect URI.
func returnLink(client *store.Client, redirect string) *themes.Link {
	if l := homeLink(client); l != nil {
		return l
	}
	u, err := url.Parse(redirect)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil
	}
	return &themes.Link{URL: u.Scheme + "://" + u.Host + "/"} // the theme words it (themes: .Return.Text)
}

// homeLink is the link to the client's site when the server can vouch for it (ClientHome); nil otherwise, and
// for no client, so the error page offers this site's start page instead. It is the way back when the request's
// redirect URI is not the client's: that URI is never linked (RFC 6749 §4.1.2.1, RFC 9700 §4.11.2).
func homeLink(client *store.Client) *themes.Link {
	if client == nil {
		return nil
	}
	home := ClientHome(client)
	if home == "" {
		return nil
	}
	return &themes.Link{URL: home}
}

// redirectHost is the host of an http(s) redirect URI, where the authorization response goes; "" for the
// out-of-band one, a device flow (no redirect) or a custom scheme without a host.
func redirectHost(redirect string) string {
	u, err := url.Parse(redirect)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return u.Host
}
