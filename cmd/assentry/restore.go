package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/assentry/assentry/core/config"
	badgerstore "github.com/assentry/assentry/store/badger"
	"github.com/spf13/cobra"
)

func newRestoreCmd(g *globals) *cobra.Command {
	var dataDir string
	var endRefresh bool
	cmd := &cobra.Command{
		Use:   "restore FILE --data-dir DIR",
		Short: "Restore a backup into a new or empty data directory",
		Long: "Restore the backup in FILE into DIR, which must be empty or absent: restore never merges into or " +
			"overwrites a data directory. FILE is checked whole first (a foreign, damaged, truncated or newer file is " +
			"refused before anything is written). Then point data_dir at DIR and start the server with the same " +
			"key_encryption_key as the server that wrote the backup.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dataDir == "" {
				return usageError{"restore needs --data-dir DIR: a new or empty directory to restore into"}
			}
			// restore reads no configuration, but one that names a PostgreSQL store says the operator means the
			// database, which this does not restore (a configuration that does not load is no obstacle here).
			if s, _, err := g.loadConfig(); err == nil && s.Store.Backend == config.StorePostgres {
				return fmt.Errorf("%w\n(to restore a Badger backup into --data-dir anyway, run restore with a configuration whose store is badger)", errPostgresBackup)
			}
			return restore(cmd.Context(), args[0], dataDir, endRefresh, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&dataDir, "data-dir", "", "the new or empty directory to restore into (required)")
	cmd.Flags().BoolVar(&endRefresh, "end-refresh-tokens", false,
		"revoke every token chain that holds a refresh token, so that no refresh token rotated after the backup "+
			"can be used again (its users authorize again)")
	return cmd
}

func restore(ctx context.Context, file, dir string, endRefresh bool, out io.Writer) error {
	start := time.Now()
	info, err := badgerstore.Restore(ctx, file, dir, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "restored %s into %s: %s in %s; the backup was taken at %s by assentry %s (store format %d)\n",
		file, dir, humanBytes(info.Size), time.Since(start).Round(time.Millisecond), info.CreatedAt.Format(time.RFC3339),
		info.Version, info.StoreFormat)
	if endRefresh {
		if err := endRefreshChains(ctx, dir, out); err != nil {
			return fmt.Errorf("the backup is restored into %s, but ending its refresh token chains failed: %w", dir, err)
		}
	} else {
		fmt.Fprintln(out, "refresh tokens rotated after the backup can be used once more, undetected: see the README's "+
			"\"Backup and restore\" (--end-refresh-tokens ends every chain holding one)")
	}
	if info.StoreFormat < badgerstore.CurrentFormat {
		fmt.Fprintf(out, "the data is of store format %d; this assentry writes %d: run assentry migrate on it before serving it\n",
			info.StoreFormat, badgerstore.CurrentFormat)
	}
	return nil
}

// endRefreshChains opens the restored store and revokes every chain that holds a usable refresh token
// (badgerstore.Store.EndRefreshChains says why).
func endRefreshChains(ctx context.Context, dir string, out io.Writer) error {
	st, err := badgerstore.Open(ctx, badgerstore.Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	n, err := st.EndRefreshChains(ctx)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "ended %d token chains holding refresh tokens: their users and clients authorize again\n", n)
	return err
}
