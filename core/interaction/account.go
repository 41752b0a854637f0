package interaction

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/themes"
)

// The account page (/account): the signed-in user's applications, sessions and password. Every action needs the
// browser's live session; without one the browser is sent through the login page and back (LoginNextAccount).
// Every form is CSRF-checked by the HTTP layer, as the other forms are, and each action answers with a redirect
// to the page (Post/Redirect/Get) naming what it did, or the page again with an error.

// LoginNextAccount is the login page's next value that returns to the account page after signing in. The login
// page takes only values of its own list, never a URL, so it cannot be made an open redirect.
const LoginNextAccount = "account"

// The confirmations the account page shows after an action (themes.Account.Done).
const (
	accountDoneRevoked   = "revoked"
	accountDoneSignedOut = "signed_out"
	accountDonePassword  = "password"
)

const (
	accountSignInToPage  = "/login?next=" + LoginNextAccount // where a signed-out visit goes
	accountReasonRevoked = "user_revoked"                    // the audit reason of what the user ended on the page
)

// AccountQuery is what the account page's URL may carry: the confirmation of the last action (done=revoked,
// signed_out with n, password) and ui_locales, the languages a link asks for. Anything else is ignored, so a
// crafted link can show no text of its own.
type AccountQuery struct {
	Done      string
	N         string
	UILocales string
}

// AccountPage shows the account page of the browser's user, or sends the browser to sign in first.
func (s *Service) AccountPage(ctx context.Context, q AccountQuery, b Browser) (*Step, error) {
	sess, u, err := s.accountUser(ctx, b)
	if sess == nil || err != nil {
		return signInFirst(err)
	}
	acc, err := s.accountData(ctx, u, b)
	if err != nil {
		return nil, err
	}
	switch q.Done {
	case accountDoneRevoked, accountDonePassword:
		acc.Done = q.Done
	case accountDoneSignedOut:
		acc.Done = q.Done
		acc.SignedOut, _ = strconv.Atoi(q.N)
		acc.SignedOut = max(acc.SignedOut, 0)
	}
	st := accountStep(http.StatusOK, u, accountPage(u, acc))
	st.UILocales = q.UILocales
	return st, nil
}

// accountStep is the account page in the user's language: the page's ui_locales when its link named some, else
// the user's stored locale, before the browser's Accept-Language (OIDC Core 1.0 §5.1, locale).
func accountStep(status int, u *store.User, p *themes.Page) *Step {
	return localized(page(themes.PageAccount, status, p), nil, u)
}

// accountUser returns the browser's live session and user; nil ones without an error when it has none.
func (s *Service) accountUser(ctx context.Context, b Browser) (*store.Session, *store.User, error) {
	st, u, err := s.sessions.Lookup(ctx, b.Session)
	if errors.Is(err, session.ErrNoSession) {
		return nil, nil, nil
	}
	return st, u, err
}

// accountData is what the page lists: the user's applications and sessions.
func (s *Service) accountData(ctx context.Context, u *store.User, b Browser) (*themes.Account, error) {
	apps, err := s.applications(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	acc := &themes.Account{Applications: apps}
	sessions, err := s.sessions.List(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, x := range sessions {
		acc.Sessions = append(acc.Sessions, themes.ActiveSession{SignedInAt: x.AuthTime, ExpiresAt: x.ExpiresAt,
			Current: session.IsCookieOf(x, b.Session)})
	}
	return acc, nil
}

// accountPage is the page's data.
func accountPage(u *store.User, acc *themes.Account) *themes.Page {
	return &themes.Page{Action: themes.AccountPath,
		User: &themes.User{Username: u.Username, Name: u.Name}, Account: acc}
}

// signInFirst sends a signed-out browser to the login page, which returns it here; or returns err.
func signInFirst(err error) (*Step, error) {
	if err != nil {
		return nil, err
	}
	return redirect(accountSignInToPage), nil
}

// accountDone is the redirect back to the page after an action, with its confirmation.
func accountDone(done string, extra url.Values) *Step {
	if extra == nil {
		extra = url.Values{}
	}
	extra.Set("done", done)
	return redirect(themes.AccountPath + "?" + extra.Encode())
}
