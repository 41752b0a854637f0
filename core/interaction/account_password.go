package interaction

import (
	"context"
	"errors"
	"math"
	"net/http"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/themes"
)

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
		st, err := s.passwordRefused(ctx, u, b, http.StatusTooManyRequests, "temporarily_unavailable", themes.MsgAccountRateLimited)
		if st != nil {
			st.RetryAfter, st.Page.RetryAfter = secs, secs
		}
		return st, err
	}
	if f.Current == "" || f.New == "" || len(f.Current) > maxCredentialLen {
		return s.passwordRefused(ctx, u, b, http.StatusBadRequest, "invalid_request", themes.MsgAccountMissing)
	}
	// A new password over the byte bound is the password policy's to refuse (its too-long rule, which says the
	// maximum), after the current password was checked, as the CLI's answer is the policy's too.
	if f.New != f.Confirm {
		return s.passwordRefused(ctx, u, b, http.StatusBadRequest, "invalid_request", themes.MsgAccountMismatch)
	}
	if _, err := s.accounts.Authenticate(ctx, u.Username, f.Current); err != nil {
		if !errors.Is(err, account.ErrInvalidCredentials) {
			return nil, err
		}
		s.limits.LoginPerIP.Spend(b.Addr)
		s.limits.LoginPerUser.Spend(userKey)
		s.log.Info("account: wrong current password", "user_id", u.ID, "ip", b.Addr)
		return s.passwordRefused(ctx, u, b, http.StatusUnauthorized, "access_denied", themes.MsgAccountWrongPassword)
	}
	var refused *account.PasswordError
	var invalid *account.InvalidError
	switch err := s.accounts.SetPassword(ctx, u.Username, f.New); {
	case errors.As(err, &refused):
		// The host's password policy refused the new password: say which rule, and what a good one needs.
		return s.passwordRefused(ctx, u, b, http.StatusBadRequest, "invalid_request",
			themes.MsgAccountPasswordRule+string(refused.Rule), "min", refused.MinLength, "max", refused.MaxLength)
	case errors.As(err, &invalid):
		return s.passwordRefused(ctx, u, b, http.StatusBadRequest, "invalid_request", themes.MsgAccountPasswordInvalid)
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

// passwordRefused shows the page again with why the change was refused: key is a themes.Msg message of the
// catalogs, args its {name} arguments as name/value pairs.
func (s *Service) passwordRefused(ctx context.Context, u *store.User, b Browser, status int, code, key string, args ...any) (*Step, error) {
	acc, err := s.accountData(ctx, u, b)
	if err != nil {
		return nil, err
	}
	p := accountPage(u, acc)
	p.Error = &themes.Error{Code: code, Key: key, Args: args}
	return accountStep(status, u, p), nil
}
