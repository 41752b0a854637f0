package interaction

import (
	"errors"
	"log/slog"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/ratelimit"
	"github.com/assentry/assentry/core/session"
)

// Service runs the browser side of the flows of one host.
type Service struct {
	oauth    *oauth.Provider
	accounts *account.Service
	sessions *session.Manager
	limits   Limits
	log      *slog.Logger
}

// Limits are the token buckets of the browser flows. Failed logins are counted per address and per username
// (the password grant shares these); wrong user codes per address and per browser (RFC 8628 §5.1), so that an
// attacker guessing codes from elsewhere never locks the real user out.
type Limits struct {
	LoginPerIP           *ratelimit.Limiter
	LoginPerUser         *ratelimit.Limiter
	DeviceCodePerIP      *ratelimit.Limiter
	DeviceCodePerBrowser *ratelimit.Limiter
}

// New returns the service; every dependency is required.
func New(p *oauth.Provider, accounts *account.Service, sessions *session.Manager, limits Limits, log *slog.Logger) (*Service, error) {
	if p == nil || accounts == nil || sessions == nil || limits.LoginPerIP == nil || limits.LoginPerUser == nil ||
		limits.DeviceCodePerIP == nil || limits.DeviceCodePerBrowser == nil {
		return nil, errors.New("interaction: the provider, accounts, sessions and every limiter are required")
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{oauth: p, accounts: accounts, sessions: sessions, limits: limits, log: log}, nil
}
