package account

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/assentry/assentry/store"
)

// Errors returned by the account service. They are sentinels compared with errors.Is and never mutated.
var (
	// ErrInvalidCredentials: unknown username or wrong password (the two are indistinguishable on purpose).
	ErrInvalidCredentials = errors.New("invalid username or password")
	// ErrUnknownUser and ErrWrongPassword tell the two ErrInvalidCredentials apart for the audit log only; both
	// match ErrInvalidCredentials, and nothing a client sees may differ between them.
	ErrUnknownUser   = fmt.Errorf("%w: unknown user", ErrInvalidCredentials)
	ErrWrongPassword = fmt.Errorf("%w: wrong password", ErrInvalidCredentials)
	// ErrDisabled: the password was right but the account is disabled.
	ErrDisabled = errors.New("account is disabled")
	// ErrNotFound: no such user.
	ErrNotFound = errors.New("no such user")
	// ErrExists: the username is taken.
	ErrExists = errors.New("username is taken")
)

// InvalidError is a rejected input (a bad username, an unknown role, an empty password).
type InvalidError struct{ Msg string }

func (e *InvalidError) Error() string { return e.Msg }

func invalid(format string, a ...any) error { return &InvalidError{Msg: fmt.Sprintf(format, a...)} }

// Service manages the users of one host.
type Service struct {
	host        string
	users       store.UserStore
	hasher      *Hasher
	roles       []string
	defaultRole string
	fullID      bool
	domain      string
	passwords   *PasswordPolicy
	siteName    string
	now         func() time.Time
}

// Options configure a Service.
type Options struct {
	Host        string // host id (store key prefix)
	Users       store.UserStore
	Hasher      *Hasher
	Roles       []string // the host's role catalogue
	DefaultRole string   // given to new users without roles; what the xmpp scope stands for
	FullID      bool     // usernames are entered as user@Domain
	Domain      string
	// Passwords is the policy every new password must pass (never applied at login); nil: the default.
	Passwords *PasswordPolicy
	// SiteName is the host's site name, which a new password must not contain.
	SiteName string
	Now      func() time.Time
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Passwords == nil {
		o.Passwords = DefaultPasswordPolicy()
	}
	return &Service{host: o.Host, users: o.Users, hasher: o.Hasher, roles: o.Roles, defaultRole: o.DefaultRole,
		fullID: o.FullID, domain: o.Domain, passwords: o.Passwords, siteName: o.SiteName, now: o.Now}
}

// Roles returns the host's role catalogue.
func (s *Service) Roles() []string { return slices.Clone(s.roles) }

// DefaultRole returns the role the xmpp scope stands for.
func (s *Service) DefaultRole() string { return s.defaultRole }

// Normalize maps what a user typed to the stored username.
func (s *Service) Normalize(raw string) (string, error) {
	n, err := NormalizeUsername(raw, s.fullID, s.domain)
	if err != nil {
		return "", invalid("%s", err.Error())
	}
	return n, nil
}

// NewUser is what Add takes.
type NewUser struct {
	Username      string
	Password      string
	Roles         []string
	Groups        []string
	Name          string
	Email         string
	EmailVerified bool
	Locale        string
}

// Add creates a user with a fresh random immutable id; the password must pass the host's PasswordPolicy.
func (s *Service) Add(ctx context.Context, n NewUser) (*store.User, error) {
	name, err := s.Normalize(n.Username)
	if err != nil {
		return nil, err
	}
	if err := s.passwords.Check(n.Password, name, s.siteName); err != nil {
		return nil, err
	}
	roles := n.Roles
	if len(roles) == 0 {
		roles = []string{s.defaultRole}
	}
	if err := s.checkRoles(roles); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, n.Password)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	u := &store.User{ID: newID(), Host: s.host, Username: name, PasswordHash: hash, Roles: dedupe(roles),
		Groups: dedupe(n.Groups), Name: n.Name, Email: n.Email, EmailVerified: n.EmailVerified, Locale: n.Locale,
		CreatedAt: now, UpdatedAt: now}
	if err := s.users.Create(ctx, u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, fmt.Errorf("%w: %s", ErrExists, name)
		}
		return nil, err
	}
	return u, nil
}

// Authenticate checks a username and password. An unknown user costs the same argon2id work as a wrong
// password and gets the same error; a disabled user gets ErrDisabled only once the password was right.
// A hash made with older parameters is upgraded, and an imported SCRAM credential is replaced by argon2id (one
// write, best effort: the credential still verifies until it succeeds).
func (s *Service) Authenticate(ctx context.Context, username, password string) (*store.User, error) {
	name, err := s.Normalize(username)
	var u *store.User
	if err == nil {
		u, err = s.users.GetByUsername(ctx, s.host, name)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) && !isInvalid(err) {
		return nil, err
	}
	encoded := ""
	if u != nil {
		encoded = u.PasswordHash
	}
	ok, upgraded, verr := s.verify(ctx, encoded, password)
	if verr != nil && ctx.Err() != nil {
		return nil, verr
	}
	switch {
	case u == nil:
		return nil, ErrUnknownUser
	case !ok:
		return nil, ErrWrongPassword
	}
	if u.Disabled {
		return nil, ErrDisabled
	}
	if upgraded == "" && s.hasher.NeedsRehash(u.PasswordHash) {
		upgraded, _ = s.hasher.Hash(ctx, password)
	}
	if upgraded != "" {
		u.PasswordHash = upgraded
		u.UpdatedAt = s.now().UTC()
		_ = s.users.Update(ctx, u, store.UserUpdate{}) // best effort; the old hash still verifies
	}
	return u, nil
}

// Get returns a live user by immutable id.
func (s *Service) Get(ctx context.Context, id string) (*store.User, error) {
	u, err := s.users.Get(ctx, s.host, id)
	return u, s.mapErr(err, id)
}

// Lookup returns a live user by username (as typed; it is normalised first).
func (s *Service) Lookup(ctx context.Context, username string) (*store.User, error) {
	name, err := s.Normalize(username)
	if err != nil {
		return nil, err
	}
	u, err := s.users.GetByUsername(ctx, s.host, name)
	return u, s.mapErr(err, name)
}

// List returns every live user ordered by username.
func (s *Service) List(ctx context.Context) ([]*store.User, error) { return s.users.List(ctx, s.host) }

// SetPassword changes a password and, in the same write, ends every session and token chain of the user. The
// new password must pass the host's PasswordPolicy.
func (s *Service) SetPassword(ctx context.Context, username, password string) error {
	name, err := s.Normalize(username)
	if err != nil {
		return err
	}
	if err := s.passwords.Check(password, name, s.siteName); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.modify(ctx, username, store.UserUpdate{EndSessions: true, RevokeGrants: true}, func(u *store.User) error {
		u.PasswordHash = hash
		return nil
	})
}

// SetRoles replaces the user's roles (each from the host's catalogue).
func (s *Service) SetRoles(ctx context.Context, username string, roles []string) error {
	if err := s.checkRoles(roles); err != nil {
		return err
	}
	return s.modify(ctx, username, store.UserUpdate{}, func(u *store.User) error {
		u.Roles = dedupe(roles)
		return nil
	})
}

// SetGroups replaces the user's groups.
func (s *Service) SetGroups(ctx context.Context, username string, groups []string) error {
	for _, g := range groups {
		if g == "" {
			return invalid("group names must not be empty")
		}
	}
	return s.modify(ctx, username, store.UserUpdate{}, func(u *store.User) error {
		u.Groups = dedupe(groups)
		return nil
	})
}

// SetDisabled disables or enables a user. Disabling ends every session and token chain in the same write.
func (s *Service) SetDisabled(ctx context.Context, username string, disabled bool) error {
	opts := store.UserUpdate{EndSessions: disabled, RevokeGrants: disabled}
	return s.modify(ctx, username, opts, func(u *store.User) error {
		u.Disabled = disabled
		return nil
	})
}

// Delete turns the user into a tombstone (the id is never reused), ending its sessions and token chains.
func (s *Service) Delete(ctx context.Context, username string) error {
	u, err := s.Lookup(ctx, username)
	if err != nil {
		return err
	}
	return s.mapErr(s.users.Delete(ctx, s.host, u.ID), u.Username)
}

func (s *Service) modify(ctx context.Context, username string, opts store.UserUpdate, f func(*store.User) error) error {
	u, err := s.Lookup(ctx, username)
	if err != nil {
		return err
	}
	if err := f(u); err != nil {
		return err
	}
	u.UpdatedAt = s.now().UTC()
	return s.mapErr(s.users.Update(ctx, u, opts), u.Username)
}

func (s *Service) checkRoles(roles []string) error {
	for _, r := range roles {
		if !slices.Contains(s.roles, r) {
			return invalid("unknown role %q (the host's roles: %v)", r, s.roles)
		}
	}
	return nil
}

func (s *Service) mapErr(err error, name string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("%w: %s", ErrExists, name)
	}
	return err
}

func isInvalid(err error) bool {
	var ie *InvalidError
	return errors.As(err, &ie)
}

// idBytes is the size of a user id: 128 random bits, written as 32 hex digits.
const idBytes = 16

// newID returns a random 128-bit user id (hex). Ids are never derived from usernames.
func newID() string {
	b := make([]byte, idBytes)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// LooksLikeID reports whether s has the shape of a user id (newID): 2*idBytes hex digits, in either case. With
// the opaque subject format a user's sub is this id, so a client whose client_id has this shape could be taken
// for a user when it acts for itself (client credentials, RFC 9700 §4.15).
func LooksLikeID(s string) bool {
	if len(s) != 2*idBytes {
		return false
	}
	_, err := hex.DecodeString(strings.ToLower(s))
	return err == nil
}

// LimiterKey is the key of a username in the per-username limiter of failed logins: the normalised username,
// so "Alice" and "alice" share one bucket, or for input that does not normalise, its trimmed lower-case form.
// The login page and the password grant both use it, so they share the buckets.
func (s *Service) LimiterKey(raw string) string {
	if n, err := s.Normalize(raw); err == nil {
		return n
	}
	return strings.ToLower(strings.TrimSpace(raw))
}

func dedupe(in []string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// FailureReason is the audit log's word for an Authenticate error: unknown_user, bad_password or disabled_user;
// "" for any other error. Only the audit log may tell these apart: every caller answers them alike.
func FailureReason(err error) string {
	switch {
	case errors.Is(err, ErrUnknownUser):
		return "unknown_user"
	case errors.Is(err, ErrWrongPassword):
		return "bad_password"
	case errors.Is(err, ErrDisabled):
		return "disabled_user"
	}
	return ""
}
