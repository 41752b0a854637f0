package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/config"
	"github.com/spf13/cobra"
)

func newMigrateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Bring the store to the format this release writes (run with the server stopped)",
		Long: "Run the store migrations this release brings, in order, and say which ran. Back up first: a migrated " +
			"store is refused by older releases, so the way back is restoring the backup. The server must be " +
			"stopped; `serve` refuses a store that needs migrating unless auto_migrate is true.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return migrate(cmd.Context(), g, cmd.OutOrStdout()) },
	}
}

func migrate(ctx context.Context, g *globals, out io.Writer) error {
	settings, _, err := g.loadConfig()
	if err != nil {
		return err
	}
	if _, err := dialAdmin(settings); err == nil {
		return fmt.Errorf("a server is running on %s: stop it, then run %s", settings.DataDir, g.commandLine("migrate"))
	} else if !errors.Is(err, admin.ErrNoServer) {
		return err
	}
	if settings.Store.Backend != config.StorePostgres { // a PostgreSQL store needs no local directory
		if err := prepareDataDir(settings, false, "nothing to migrate"); err != nil {
			return err
		}
	}
	log, _ := newLogger("warn")
	st, err := openStore(ctx, settings, log)
	if err != nil {
		return err
	}
	defer st.Close()
	before, err := st.FormatVersion(ctx)
	if err != nil {
		return err
	}
	done, err := st.Migrate(ctx)
	for _, s := range done {
		fmt.Fprintf(out, "migrated %s\n", s)
	}
	if err != nil {
		return err
	}
	if len(done) == 0 {
		_, err = fmt.Fprintf(out, "the store in %s is at format %d: nothing to migrate\n", storeName(settings), before)
		return err
	}
	_, err = fmt.Fprintf(out, "the store in %s is now at format %d (was %d)\n", storeName(settings), st.CurrentFormat(), before)
	return err
}
