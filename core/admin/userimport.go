package admin

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/assentry/assentry/core/account"
)

// OpUserImport creates users from accounts brought over from another server (`assentry user import-prosody`).
const OpUserImport = "user.import"

// ImportUser is one account to import: a SCRAM credential, checked at the first login and then replaced by an
// argon2id hash, or a plain password, hashed at once.
type ImportUser struct {
	Username string         `json:"username"`
	SCRAM    *account.SCRAM `json:"scram,omitempty"`
	Password string         `json:"password,omitempty"`
	Disabled bool           `json:"disabled,omitempty"`
}

// ImportArgs are the arguments of OpUserImport. With DryRun every check runs and nothing is written.
type ImportArgs struct {
	Users  []ImportUser `json:"users"`
	DryRun bool         `json:"dry_run,omitempty"`
}

// ImportResult says what became of each account, in the order given.
type ImportResult struct {
	Imported []ImportedUser `json:"imported"`
	Skipped  []SkippedUser  `json:"skipped"`
}

// ImportedUser is an account that was (or, in a dry run, would be) created, under its normalised username.
type ImportedUser struct {
	From     string `json:"from"`
	Username string `json:"username"`
	ID       string `json:"id,omitempty"` // empty in a dry run
	Disabled bool   `json:"disabled,omitempty"`
}

// SkippedUser is an account that was not imported, and why. A taken username is skipped, never overwritten.
type SkippedUser struct {
	Username string `json:"username"`
	Reason   string `json:"reason"`
}

// userImport imports each account on its own: one that fails is reported and the others go on, except when the
// store becomes unavailable, which ends the operation (what was created stays).
func userImport(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	var a ImportArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	res := ImportResult{Imported: []ImportedUser{}, Skipped: []SkippedUser{}}
	seen := map[string]string{} // normalised username -> the account it came from (dry runs write nothing)
	for _, in := range a.Users {
		u, err := hs.Accounts.Import(ctx, account.Imported{Username: in.Username, SCRAM: in.SCRAM,
			Password: in.Password, Disabled: in.Disabled}, a.DryRun)
		if err == nil && a.DryRun {
			if from, dup := seen[u.Username]; dup {
				err = errors.New("username is taken: " + u.Username + " (imported from " + from + ")")
			}
		}
		if err != nil {
			if k := classify(err).Kind; k == KindUnavailable || k == KindInternal {
				return nil, err
			}
			res.Skipped = append(res.Skipped, SkippedUser{Username: in.Username, Reason: err.Error()})
			continue
		}
		seen[u.Username] = in.Username
		v := ImportedUser{From: in.Username, Username: u.Username, Disabled: u.Disabled}
		if !a.DryRun {
			v.ID = u.ID
		}
		res.Imported = append(res.Imported, v)
	}
	return res, nil
}
