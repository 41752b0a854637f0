package interaction

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/themes"
)

// maxCredentialLen bounds what is hashed: argon2id cost grows with the input, and nobody's password is longer.
const maxCredentialLen = 1024

// LoginForm is a submitted login form.
type LoginForm struct {
	Interaction string // "" for a login outside a flow
	Username    string
	Password    string
	// Next is where a login outside a flow returns: LoginNextAccount, or "" for the signed-in page. It is one
	// of a fixed list, never a URL.
	Next string
}

// LoginPage shows the login form, or the signed-in page when /login is opened directly with a live session. A
// flow sends the browser here with its interaction id (never a raw return URL, so the page cannot be turned
// into an open redirect); loginHint pre-fills the username outside a flow, and next (LoginNextAccount) names the
// page to return to after it.
func (s *Service) LoginPage(ctx context.Context, interactionID, loginHint, next string, b Browser) (*Step, error) {
	if interactionID != "" {
		ix, err := s.load(ctx, interactionID, b)
		if ix == nil || err != nil {
			return orUnknown(err)
		}
		p, err := s.loginForm(ctx, ix, ix.LoginHint, "")
		if p == nil || err != nil {
			return orUnknown(err)
		}
		return localized(page("login", http.StatusOK, p), ix, nil), nil
	}
	_, u, err := s.sessions.Lookup(ctx, b.Session)
	switch {
	case err == nil && next == LoginNextAccount:
		return redirect(themes.AccountPath), nil
	case err == nil:
		return signedIn(u), nil
	case !errors.Is(err, session.ErrNoSession):
		return nil, err
	}
	p, _ := s.loginForm(ctx, nil, loginHint, next)
	return page("login", http.StatusOK, p), nil
}

// Login checks the rate limits, then the password, starts a new session, and moves the flow on. Rate limits come
// first: a limited attempt costs no argon2id work and reveals nothing about the password.
func (s *Service) Login(ctx context.Context, f LoginForm, b Browser) (*Step, error) {
	var ix *store.Interaction
	if f.Interaction != "" {
		var err error
		if ix, err = s.load(ctx, f.Interaction, b); ix == nil || err != nil {
			return orUnknown(err)
		}
	}
	userKey := s.accounts.LimiterKey(f.Username)
	if wait := max(s.limits.LoginPerIP.Wait(b.Addr), s.limits.LoginPerUser.Wait(userKey)); wait > 0 {
		s.loginEvent(ctx, ix, b, events.Event{Kind: events.LoginRateLimited, Username: clip(f.Username)})
		return s.loginTooMany(ctx, ix, f, wait)
	}
	if f.Username == "" || f.Password == "" || len(f.Username) > maxCredentialLen || len(f.Password) > maxCredentialLen {
		s.loginFailedLog(f.Username, "missing_credentials", b)
		s.loginEvent(ctx, ix, b, events.Event{Kind: events.LoginFailed, Username: clip(f.Username),
			Reason: "missing_credentials"})
		return s.loginFailed(ctx, ix, f, themes.MsgMissingCredentials)
	}
	u, err := s.accounts.Authenticate(ctx, f.Username, f.Password)
	switch {
	case errors.Is(err, account.ErrInvalidCredentials):
		s.limits.LoginPerIP.Spend(b.Addr)
		s.limits.LoginPerUser.Spend(userKey)
		s.loginFailedLog(f.Username, account.FailureReason(err), b)
		s.loginEvent(ctx, ix, b, events.Event{Kind: events.LoginFailed, Username: f.Username,
			Reason: account.FailureReason(err)})
		return s.loginFailed(ctx, ix, f, themes.MsgBadCredentials)
	case errors.Is(err, account.ErrDisabled):
		s.loginFailedLog(f.Username, account.FailureReason(err), b)
		s.loginEvent(ctx, ix, b, events.Event{Kind: events.LoginFailed, Username: f.Username,
			Reason: account.FailureReason(err)})
		return s.loginFailed(ctx, ix, f, themes.MsgAccountDisabled)
	case err != nil:
		return nil, err
	}
	s.loginEvent(ctx, ix, b, events.Event{Kind: events.LoginSucceeded, UserID: u.ID, Username: u.Username})
	cookie, _, err := s.sessions.Start(ctx, u.ID, []string{"pwd"}, b.Session)
	if err != nil {
		return nil, err
	}
	s.log.Info("login", "user_id", u.ID, "ip", b.Addr)
	withSession := func(st *Step) *Step {
		if cookie != "" {
			st.NewSession, st.SessionTTL = cookie, s.sessions.TTL()
		} else {
			st.ClearSession = true
		}
		return st
	}
	if ix != nil {
		// The password was entered for this request: that satisfies prompt=login and max_age.
		if err := s.oauth.LoggedIn(ctx, ix, u.ID); err != nil {
			return nil, err
		}
		b.Session = cookie
		st, err := s.advance(ctx, ix, b, false)
		if err != nil {
			return nil, err
		}
		return withSession(st), nil
	}
	if cookie == "" {
		// session_ttl 0: nothing is remembered, so there is no session to come back to.
		return withSession(signedIn(u)), nil
	}
	// Post/Redirect/Get: a reload does not post the password again.
	if f.Next == LoginNextAccount {
		return withSession(redirect(themes.AccountPath)), nil
	}
	return withSession(redirect("/login")), nil
}

// loginForm is the login page's data; with an interaction it names the client the user signs in for. A nil
// page without an error means the interaction's client is gone. Outside a flow, next (LoginNextAccount) rides
// on the form's target, so the page returns there after signing in.
func (s *Service) loginForm(ctx context.Context, ix *store.Interaction, username, next string) (*themes.Page, error) {
	p := &themes.Page{Action: "/login", Username: username}
	if ix == nil && next == LoginNextAccount {
		p.Action = accountSignInToPage
	}
	if ix != nil {
		p.Interaction = ix.ID
		client, err := s.oauth.Clients.Get(ctx, ix.ClientID)
		switch {
		case errors.Is(err, oauth.ErrClientNotFound) || errors.Is(err, store.ErrNotFound):
			return nil, nil
		case err != nil:
			return nil, err // a failing client source is a server failure, not the user's stale request
		}
		p.Client = PageClient(client)
		p.RedirectHost = redirectHost(ix.RedirectURI)
	}
	return p, nil
}

// loginFailed is the login form again with the reason (a themes.Msg key) as its error.
func (s *Service) loginFailed(ctx context.Context, ix *store.Interaction, f LoginForm, key string) (*Step, error) {
	p, err := s.loginForm(ctx, ix, f.Username, f.Next)
	if p == nil || err != nil {
		return orUnknown(err)
	}
	p.Error = &themes.Error{Code: "access_denied", Key: key}
	return localized(page("login", http.StatusUnauthorized, p), ix, nil), nil
}

func (s *Service) loginTooMany(ctx context.Context, ix *store.Interaction, f LoginForm, wait time.Duration) (*Step, error) {
	secs := int(math.Ceil(wait.Seconds()))
	p, err := s.loginForm(ctx, ix, f.Username, f.Next)
	if p == nil || err != nil {
		return orUnknown(err)
	}
	p.RetryAfter = secs
	p.Error = &themes.Error{Code: "temporarily_unavailable", Key: themes.MsgLoginRateLimited}
	st := localized(page("login", http.StatusTooManyRequests, p), ix, nil)
	st.RetryAfter = secs
	return st, nil
}

// signedIn is the page of a user who signed in outside a flow.
func signedIn(u *store.User) *Step {
	return localized(page("signed_in", http.StatusOK, &themes.Page{User: &themes.User{Username: u.Username, Name: u.Name}}), nil, u)
}

// orUnknown returns err, or the unknown-interaction page when there is none.
func orUnknown(err error) (*Step, error) {
	if err != nil {
		return nil, err
	}
	return unknownInteraction(), nil
}

// loginEvent reports a login attempt: the browser's address, the client the user signed in for (in a flow), and
// e's username and reason. The password is never part of it.
func (s *Service) loginEvent(ctx context.Context, ix *store.Interaction, b Browser, e events.Event) {
	e.IP = b.Addr
	if ix != nil {
		e.ClientID = ix.ClientID
	}
	s.oauth.Emitter().Emit(ctx, e)
}

// clip keeps a typed username short enough for one log line (a longer one was refused unhashed).
// loginFailedLog logs a refused login with the username as typed (clipped) and the audit log's reason
// (missing_credentials, or account.FailureReason's unknown_user, bad_password, disabled_user), so an operator
// reading the server log alone can tell a mistyped name from a wrong password or a disabled account.
func (s *Service) loginFailedLog(username, reason string, b Browser) {
	s.log.Info("login failed", "username", clip(username), "reason", reason, "ip", b.Addr)
}

func clip(username string) string {
	if len(username) > maxCredentialLen {
		return username[:maxCredentialLen]
	}
	return username
}
