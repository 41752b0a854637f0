package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/assentry/assentry/store"
)

// verify checks password against a stored PasswordHash of either kind. For a SCRAM record imported from another
// server it also returns, when the password is right, the argon2id hash that replaces the record. Every path costs
// about one argon2id computation, as core/account promises for unknown users: a right SCRAM password pays it by
// hashing the replacement, a wrong one by checking the dummy hash, so an imported user who has not logged in yet
// cannot be told from an unknown one by timing.
func (s *Service) verify(ctx context.Context, encoded, password string) (ok bool, upgraded string, err error) {
	if !isSCRAM(encoded) {
		ok, err = s.hasher.Verify(ctx, encoded, password)
		return ok, "", err
	}
	rec, perr := parseSCRAM(encoded)
	if perr == nil && s.verifySCRAM(ctx, rec, password) {
		h, err := s.hasher.Hash(ctx, password)
		if err != nil {
			// The password was right; the replacement waits for the next login.
			return true, "", err
		}
		return true, h, nil
	}
	_, err = s.hasher.Verify(ctx, "", password)
	return false, "", err
}

// verifySCRAM runs rec.Verify within the hasher's concurrency bound, so a flood of logins of imported users
// queues as argon2id logins do.
func (s *Service) verifySCRAM(ctx context.Context, rec *SCRAM, password string) bool {
	if err := s.hasher.acquire(ctx); err != nil {
		return false
	}
	defer s.hasher.release()
	return rec.Verify(password)
}

// Imported is an account brought over from another server. It carries either the server's SCRAM credential,
// checked at the user's first login and then replaced by an argon2id hash, or a plain password (old Prosody
// records kept one), which is hashed with argon2id at once.
type Imported struct {
	Username string
	SCRAM    *SCRAM
	Password string
	Disabled bool
}

// Import creates a user from an imported account with the host's default role. The username is normalised as for
// Add (the local part only, whatever the host's full_id setting); a taken one is ErrExists, never overwritten.
// With dryRun nothing is written: the checks run and the user that would be created is returned.
func (s *Service) Import(ctx context.Context, in Imported, dryRun bool) (*store.User, error) {
	name, err := NormalizeUsername(in.Username, false, "")
	if err != nil {
		return nil, invalid("%s", err.Error())
	}
	var hash string
	switch {
	case in.SCRAM != nil && in.Password != "":
		return nil, invalid("an imported account carries a SCRAM credential or a password, not both")
	case in.SCRAM != nil:
		if err := in.SCRAM.Validate(); err != nil {
			return nil, invalid("%s", err.Error())
		}
		hash = in.SCRAM.Encode()
	case in.Password != "":
		if !dryRun {
			if hash, err = s.hasher.Hash(ctx, in.Password); err != nil {
				return nil, err
			}
		}
	default:
		return nil, invalid("the account has no password")
	}
	now := s.now().UTC()
	u := &store.User{ID: newID(), Host: s.host, Username: name, PasswordHash: hash, Roles: []string{s.defaultRole},
		Disabled: in.Disabled, CreatedAt: now, UpdatedAt: now}
	if dryRun {
		if _, err := s.users.GetByUsername(ctx, s.host, name); !errors.Is(err, store.ErrNotFound) {
			if err == nil {
				return nil, fmt.Errorf("%w: %s", ErrExists, name)
			}
			return nil, err
		}
		return u, nil
	}
	if err := s.users.Create(ctx, u); err != nil {
		return nil, s.mapErr(err, name)
	}
	return u, nil
}

// PasswordScheme names the kind of a stored PasswordHash: "argon2id", SCRAMSHA1 or SCRAMSHA256 (an imported
// credential not yet replaced by a first login), or "" for none.
func PasswordScheme(encoded string) string {
	switch {
	case encoded == "":
		return ""
	case isSCRAM(encoded):
		if c, err := parseSCRAM(encoded); err == nil {
			return c.Hash
		}
		return "invalid"
	}
	if _, _, _, err := parsePHC(encoded); err == nil {
		return "argon2id"
	}
	return "invalid"
}
