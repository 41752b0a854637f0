package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/prosody"
	"github.com/spf13/cobra"
)

// scramHashes maps Prosody's password_hash names to Assentry's SCRAM record names.
var scramHashes = map[string]string{prosody.SHA1: account.SCRAMSHA1, prosody.SHA256: account.SCRAMSHA256}

func userImportProsodyCmd(g *globals) *cobra.Command {
	var dir string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import-prosody --accounts DIR",
		Short: "Import the users of a Prosody host (internal_hashed); they keep their passwords",
		Long: `Import every account of a Prosody host's internal_hashed store: DIR is the host's accounts directory,
<data_path>/<host, escaped>/accounts. Each user keeps its username (normalised as Assentry does) and its
password: the SCRAM credential is checked at the user's first login and then replaced by an argon2id hash.
A username that is invalid or already taken is skipped, never overwritten. Exit status 0 when every account was
imported, 1 when some were skipped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return usageError{"--accounts DIR is required"}
			}
			entries, err := prosody.ReadDir(dir)
			if err != nil {
				return err
			}
			var users []admin.ImportUser
			var unread []admin.SkippedUser
			for _, e := range entries {
				if e.Err != nil {
					unread = append(unread, admin.SkippedUser{Username: e.File, Reason: e.Err.Error()})
					continue
				}
				users = append(users, importUser(e.Account))
			}
			res, err := importBatches(cmd.Context(), g, users, dryRun)
			if err != nil {
				return err
			}
			res.Skipped = append(unread, res.Skipped...)
			printImport(cmd.OutOrStdout(), res, dryRun)
			if len(res.Skipped) > 0 {
				return fmt.Errorf("%d of %d accounts skipped", len(res.Skipped), len(res.Skipped)+len(res.Imported))
			}
			if len(res.Imported) == 0 {
				return errors.New("no account files (*.dat) in " + dir)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "accounts", "", "the Prosody host's accounts directory (<data_path>/<host>/accounts)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check every account and report, but create no user")
	return cmd
}

// importBatchBytes bounds the JSON of one import request: the admin socket reads at most 1 MiB.
const importBatchBytes = 256 << 10

// importBatches sends the accounts in requests of at most importBatchBytes each. A dry run writes nothing, so
// the server cannot see that two batches bring the same username: that is checked here.
func importBatches(ctx context.Context, g *globals, users []admin.ImportUser, dryRun bool) (admin.ImportResult, error) {
	res := admin.ImportResult{}
	seen := map[string]string{}
	send := func(batch []admin.ImportUser) error {
		var r admin.ImportResult
		if err := g.run(ctx, admin.OpUserImport, admin.ImportArgs{Users: batch, DryRun: dryRun}, &r); err != nil {
			return err
		}
		for _, u := range r.Imported {
			if from, dup := seen[u.Username]; dup {
				res.Skipped = append(res.Skipped, admin.SkippedUser{Username: u.From,
					Reason: fmt.Sprintf("username is taken: %s (imported from %s)", u.Username, from)})
				continue
			}
			seen[u.Username] = u.From
			res.Imported = append(res.Imported, u)
		}
		res.Skipped = append(res.Skipped, r.Skipped...)
		return nil
	}
	var batch []admin.ImportUser
	size := 0
	for _, u := range users {
		b, err := json.Marshal(u)
		if err != nil {
			return res, err
		}
		if len(b) > importBatchBytes {
			res.Skipped = append(res.Skipped, admin.SkippedUser{Username: u.Username, Reason: "the account is too large"})
			continue
		}
		if size+len(b) > importBatchBytes {
			if err := send(batch); err != nil {
				return res, err
			}
			batch, size = nil, 0
		}
		batch, size = append(batch, u), size+len(b)+1
	}
	if len(batch) > 0 {
		return res, send(batch)
	}
	return res, nil
}

func importUser(a *prosody.Account) admin.ImportUser {
	u := admin.ImportUser{Username: a.Username, Password: a.Password, Disabled: a.Disabled}
	if a.Password == "" {
		u.SCRAM = &account.SCRAM{Hash: scramHashes[a.Hash], Salt: a.Salt, Iterations: a.Iterations,
			StoredKey: a.StoredKey, ServerKey: a.ServerKey}
	}
	return u
}

func printImport(w io.Writer, res admin.ImportResult, dryRun bool) {
	verb := "imported"
	if dryRun {
		verb = "would import"
	}
	for _, u := range res.Imported {
		note := ""
		if u.From != u.Username {
			note = " (Prosody: " + u.From + ")"
		}
		if u.Disabled {
			note += " (disabled)"
		}
		fmt.Fprintf(w, "%s %s%s\n", verb, u.Username, note)
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", s.Username, s.Reason)
	}
	fmt.Fprintf(w, "%d %s, %d skipped\n", len(res.Imported), verb, len(res.Skipped))
}
