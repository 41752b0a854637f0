package interaction

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/themes"
)

// The account page's messages, in one place (protocol error codes stay as they are).
const (
	msgWrongPassword = "Your current password is not correct."
	msgMismatch      = "The new passwords do not match."
	msgMissing       = "Enter your current password and the new one twice."
)

// msgPolicy is the account page's message for a new password the password policy refused. It never contains the
// password.
func msgPolicy(e *account.PasswordError) string {
	return "Choose another password: " + e.Reason + ". A password needs at least " + strconv.Itoa(e.MinLength) +
		" characters (spaces and any other characters count) and must not be a common or compromised password, " +
		"a run of repeated or sequential characters, or contain your username or the site's name."
}

// msgTooMany is the account page's message on a 429: when to try again.
func msgTooMany(secs int) string {
	return "Too many wrong passwords. Try again in " + strconv.Itoa(secs) + " seconds."
}

// PasswordForm is a submitted change of password.
type PasswordForm struct {
	Current string
	New     string
	Confirm string
}

// AccountPassword changes the user's password. The current one is checked first, on the login page's rate
// limits (a stolen session must not be a free password oracle); the new one goes through the account service,
// which applies the host's password rules and, in the same write, ends every session and token chain of the
// user. This browser then gets a new session: the user just proved the password.
func (s *Service) AccountPassword(ctx context.Context, f PasswordForm, b Browser) (*Step, error) {
	_, u, err := s.accountUser(ctx, b)
	if u == nil || err != nil {
		return signInFirst(err)
	}
	userKey := s.accounts.LimiterKey(u.Username)
	if wait := max(s.limits.LoginPerIP.Wait(b.Addr), s.limits.LoginPerUser.Wait(userKey)); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		st, err := s.passwordRefused(ctx, u, b, http.StatusTooManyRequests, "temporarily_unavailable", msgTooMany(secs))
		if st != nil {
			st.RetryAfter, st.Page.RetryAfter = secs, secs
		}
		return st, err
	}
	if f.Current == "" || f.New == "" || len(f.Current) > maxCredentialLen || len(f.New) > maxCredentialLen {
		return s.passwordRefused(ctx, u, b, http.StatusBadRequest, "invalid_request", msgMissing)
	}
	if f.New != f.Confirm {
		return s.passwordRefused(ctx, u, b, http.StatusBadRequest, "invalid_request", msgMismatch)
	}
	if _, err := s.accounts.Authenticate(ctx, u.Username, f.Current); err != nil {
		if !errors.Is(err, account.ErrInvalidCredentials) {
			return nil, err
		}
		s.limits.LoginPerIP.Spend(b.Addr)
		s.limits.LoginPerUser.Spend(userKey)
		s.log.Info("account: wrong current password", "user_id", u.ID, "ip", b.Addr)
		return s.passwordRefused(ctx, u, b, http.StatusUnauthorized, "access_denied", msgWrongPassword)
	}
	var refused *account.PasswordError
	var invalid *account.InvalidError
	switch err := s.accounts.SetPassword(ctx, u.Username, f.New); {
	case errors.As(err, &refused):
		// The host's password policy refused the new password: say which rule, and what a good one needs.
		return s.passwordRefused(ctx, u, b, http.StatusBadRequest, "invalid_request", msgPolicy(refused))
	case errors.As(err, &invalid):
		return s.passwordRefused(ctx, u, b, http.StatusBadRequest, "invalid_request", invalid.Msg)
	case err != nil:
		return nil, err
	}
	s.oauth.Emitter().Emit(ctx, events.Event{Kind: events.TokenRevoked, UserID: u.ID, Username: u.Username,
		IP: b.Addr, Reason: "password_changed"})
	s.log.Info("account: password changed", "user_id", u.ID, "ip", b.Addr)
	cookie, _, err := s.sessions.Start(ctx, u.ID, []string{"pwd"}, "")
	if err != nil {
		return nil, err
	}
	st := accountDone(accountDonePassword, nil)
	if cookie != "" {
		st.NewSession, st.SessionTTL = cookie, s.sessions.TTL()
	} else {
		st.ClearSession = true
	}
	return st, nil
}

// passwordRefused shows the page again with why the change was refused.
func (s *Service) passwordRefused(ctx context.Context, u *store.User, b Browser, status int, code, desc string) (*Step, error) {
	acc, err := s.accountData(ctx, u, b)
	if err != nil {
		return nil, err
	}
	p := accountPage(u, acc)
	p.Error = &themes.Error{Code: code, Description: desc}
	return page(themes.PageAccount, status, p), nil
}
