package admin

import (
	"context"
	"encoding/json"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/store"
)

// UserArgs are the arguments of the user operations (each uses the fields it needs).
type UserArgs struct {
	Username      string   `json:"username"`
	Password      string   `json:"password,omitempty"`
	Roles         []string `json:"roles,omitempty"`
	Groups        []string `json:"groups,omitempty"`
	Name          string   `json:"name,omitempty"`
	Email         string   `json:"email,omitempty"`
	EmailVerified bool     `json:"email_verified,omitempty"`
	Locale        string   `json:"locale,omitempty"`
}

// UserView is what the CLI shows of a user (never the hash).
type UserView struct {
	ID            string    `json:"id"`
	Username      string    `json:"username"`
	Roles         []string  `json:"roles"`
	Groups        []string  `json:"groups"`
	Name          string    `json:"name,omitempty"`
	Email         string    `json:"email,omitempty"`
	EmailVerified bool      `json:"email_verified,omitempty"`
	Locale        string    `json:"locale,omitempty"`
	Disabled      bool      `json:"disabled"`
	CreatedAt     time.Time `json:"created_at"`
	// PasswordScheme is the kind of the stored password: argon2id, or scram-sha-1 / scram-sha-256 for an
	// imported account whose user has not logged in since.
	PasswordScheme string `json:"password_scheme,omitempty"`
}

func viewUser(u *store.User) UserView {
	return UserView{ID: u.ID, Username: u.Username, Roles: nonNil(u.Roles), Groups: nonNil(u.Groups), Name: u.Name,
		Email: u.Email, EmailVerified: u.EmailVerified, Locale: u.Locale, Disabled: u.Disabled, CreatedAt: u.CreatedAt,
		PasswordScheme: account.PasswordScheme(u.PasswordHash)}
}

func userAdd(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	var a UserArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	u, err := hs.Accounts.Add(ctx, account.NewUser{Username: a.Username, Password: a.Password, Roles: a.Roles,
		Groups: a.Groups, Name: a.Name, Email: a.Email, EmailVerified: a.EmailVerified, Locale: a.Locale})
	if err != nil {
		return nil, err
	}
	return viewUser(u), nil
}

func userPasswd(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	var a UserArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	if err := hs.Accounts.SetPassword(ctx, a.Username, a.Password); err != nil {
		return nil, err
	}
	hs.chainsEnded(ctx, a.Username, "", "password_changed")
	return struct{}{}, nil
}

func userList(ctx context.Context, hs *HostServices, _ json.RawMessage) (any, error) {
	users, err := hs.Accounts.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]UserView, 0, len(users))
	for _, u := range users {
		out = append(out, viewUser(u))
	}
	return out, nil
}

// userOf decodes the username of an operation's arguments and looks the user up.
func userOf(ctx context.Context, hs *HostServices, raw json.RawMessage) (*store.User, error) {
	var a struct {
		Username string `json:"username"`
	}
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	return hs.Accounts.Lookup(ctx, a.Username)
}

func userDel(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	u, err := userOf(ctx, hs, raw)
	if err != nil {
		return nil, err
	}
	if err := hs.Accounts.Delete(ctx, u.Username); err != nil {
		return nil, err
	}
	hs.chainsEnded(ctx, u.Username, u.ID, "user_deleted")
	return struct{}{}, nil
}

func userRoles(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	var a UserArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	return struct{}{}, hs.Accounts.SetRoles(ctx, a.Username, a.Roles)
}

func userGroups(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	var a UserArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	return struct{}{}, hs.Accounts.SetGroups(ctx, a.Username, a.Groups)
}

func userSetDisabled(disabled bool) handler {
	return func(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
		var a UserArgs
		if err := decode(raw, &a); err != nil {
			return nil, err
		}
		if err := hs.Accounts.SetDisabled(ctx, a.Username, disabled); err != nil {
			return nil, err
		}
		if disabled {
			hs.chainsEnded(ctx, a.Username, "", "user_disabled")
		}
		return struct{}{}, nil
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// userGet returns one user by username.
func userGet(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	u, err := userOf(ctx, hs, raw)
	if err != nil {
		return nil, err
	}
	return viewUser(u), nil
}
