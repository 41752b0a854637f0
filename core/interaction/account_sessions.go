package interaction

import (
	"context"
	"net/url"
	"strconv"
)

// AccountSignOutOthers ends every session of the user but this browser's, in one write.
func (s *Service) AccountSignOutOthers(ctx context.Context, b Browser) (*Step, error) {
	_, u, err := s.accountUser(ctx, b)
	if u == nil || err != nil {
		return signInFirst(err)
	}
	n, err := s.sessions.EndOthers(ctx, u.ID, b.Session)
	if err != nil {
		return nil, err
	}
	s.log.Info("account: signed out everywhere else", "user_id", u.ID, "sessions", n, "ip", b.Addr)
	return accountDone(accountDoneSignedOut, url.Values{"n": {strconv.Itoa(n)}}), nil
}
