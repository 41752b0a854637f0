package session

import (
	"context"
	"errors"
	"time"

	"github.com/assentry/assentry/store"
)

// ErrNoSession: the cookie is absent, unknown, expired, or its user is gone or disabled.
var ErrNoSession = errors.New("no valid session")

// Manager creates, finds and ends the login sessions of one host.
type Manager struct {
	host     string
	sessions store.SessionStore
	users    store.UserStore
	ttl      time.Duration
	now      func() time.Time
}

// NewManager returns a Manager. ttl 0 means logins are never remembered: Start returns no cookie, and every
// authorization asks for the password again, as mod_http_oauth2 does.
func NewManager(host string, sessions store.SessionStore, users store.UserStore, ttl time.Duration, now func() time.Time) *Manager {
	if now == nil {
		now = time.Now
	}
	return &Manager{host: host, sessions: sessions, users: users, ttl: ttl, now: now}
}

// TTL is the session lifetime (0: not remembered).
func (m *Manager) TTL() time.Duration { return m.ttl }

// Start begins a session for a user who just authenticated and returns the cookie value to set ("" when
// sessions are not remembered). previous is the cookie the browser sent, if any: it is ended, so the session id
// always changes at login (no session fixation).
func (m *Manager) Start(ctx context.Context, userID string, amr []string, previous string) (string, *store.Session, error) {
	if previous != "" {
		if err := m.sessions.Delete(ctx, m.host, HashSecret(previous)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", nil, err
		}
	}
	now := m.now().UTC()
	s := &store.Session{Host: m.host, UserID: userID, AuthTime: now, AMR: amr, CreatedAt: now, ExpiresAt: now.Add(m.ttl)}
	if m.ttl <= 0 {
		return "", s, nil
	}
	secret := NewSecret()
	s.ID = HashSecret(secret)
	if err := m.sessions.Put(ctx, s); err != nil {
		return "", nil, err
	}
	return secret, s, nil
}

// Lookup returns the live session of a cookie value and its user. A session of a disabled or deleted user is
// ended and reported as ErrNoSession.
func (m *Manager) Lookup(ctx context.Context, cookie string) (*store.Session, *store.User, error) {
	if cookie == "" {
		return nil, nil, ErrNoSession
	}
	id := HashSecret(cookie)
	s, err := m.sessions.Get(ctx, m.host, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrNoSession
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := m.users.Get(ctx, m.host, s.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
		_ = m.sessions.Delete(ctx, m.host, id)
		return nil, nil, ErrNoSession
	}
	if err != nil {
		return nil, nil, err
	}
	return s, u, nil
}

// End ends the session of a cookie value; ending an unknown session is not an error.
func (m *Manager) End(ctx context.Context, cookie string) error {
	if cookie == "" {
		return nil
	}
	err := m.sessions.Delete(ctx, m.host, HashSecret(cookie))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// List returns the user's live sessions, oldest first.
func (m *Manager) List(ctx context.Context, userID string) ([]*store.Session, error) {
	return m.sessions.ListByUser(ctx, m.host, userID)
}

// EndOthers ends every session of the user but the one of cookie (the browser asking), in one write, and returns
// how many it ended: "sign out everywhere else".
func (m *Manager) EndOthers(ctx context.Context, userID, cookie string) (int, error) {
	return m.sessions.DeleteByUserExcept(ctx, m.host, userID, HashSecret(cookie))
}

// IsCookieOf reports whether cookie is the cookie of the session s (its id is the cookie's digest).
func IsCookieOf(s *store.Session, cookie string) bool {
	return cookie != "" && s != nil && s.ID == HashSecret(cookie)
}
