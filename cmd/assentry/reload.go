package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/config"
	"github.com/spf13/cobra"
)

func newReloadCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "reload",
		Short: "Make the running server re-read its configuration",
		Long: "Asks the server running on the configuration's data directory, over its admin socket, to re-read its\n" +
			"configuration file and environment, as SIGHUP does. Hosts are added, removed and updated; requests\n" +
			"already running finish on the previous configuration. A file with problems changes nothing: they are\n" +
			"printed and the exit status is 2. --config only locates the server (its data_dir); the server reads the\n" +
			"file it was started with, with its own environment.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Only data_dir and admin_socket are read here: the server checks the file, and reports its problems
			// however many.
			loc, err := config.Locate(g.configPath, os.Environ())
			if err != nil {
				return usageError{fmt.Sprintf("%v\n(the running server cannot be found without data_dir, and was not asked to reload)", err)}
			}
			cl, err := dialAdmin(&config.Settings{DataDir: loc.DataDir, AdminSocket: loc.AdminSocket})
			if errors.Is(err, admin.ErrNoServer) {
				return fmt.Errorf("no server is running on %s%s: %w", absPath(loc.DataDir), derivedFrom(loc.DataDirOrigin), err)
			}
			if err != nil {
				return err
			}
			resp, err := cl.Do(cmd.Context(), admin.Request{Op: admin.OpReload})
			if err != nil {
				return err
			}
			if resp.Error != nil {
				return resp.Error
			}
			var res reloadResult
			if err := json.Unmarshal(resp.Result, &res); err != nil {
				return fmt.Errorf("admin socket: bad answer: %w", err)
			}
			printReload(cmd.OutOrStdout(), &res)
			return nil
		},
	}
}

// printReload says what a reload changed, one line per kind of change.
func printReload(w io.Writer, res *reloadResult) {
	file := res.Config
	if file == "" {
		file = "(no file)"
	}
	fmt.Fprintf(w, "reloaded %s in %.1f ms\n", file, res.Millis)
	list := func(label string, ids []string) {
		if len(ids) > 0 {
			fmt.Fprintf(w, "%s: %s\n", label, strings.Join(ids, ", "))
		}
	}
	list("hosts added", res.Added)
	list("hosts removed", res.Removed)
	list("hosts updated", res.Updated)
	list("hosts unchanged", res.Unchanged)
	for _, n := range res.NeedsRestart {
		fmt.Fprintf(w, "needs a restart (the running value is kept): %s\n", n)
	}
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}
