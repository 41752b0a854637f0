package main

import (
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
			args := admin.ImportArgs{Users: []admin.ImportUser{}, DryRun: dryRun}
			var unread []admin.SkippedUser
			for _, e := range entries {
				if e.Err != nil {
					unread = append(unread, admin.SkippedUser{Username: e.File, Reason: e.Err.Error()})
					continue
				}
				args.Users = append(args.Users, importUser(e.Account))
			}
			res := admin.ImportResult{}
			if len(args.Users) > 0 {
				if err := g.run(cmd.Context(), admin.OpUserImport, args, &res); err != nil {
					return err
				}
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
