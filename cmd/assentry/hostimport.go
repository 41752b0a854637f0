package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/store"
	"github.com/spf13/cobra"
)

func newImportCmd(g *globals) *cobra.Command {
	var as string
	var replace bool
	cmd := &cobra.Command{
		Use:   "import FILE [--as ID] [--replace]",
		Short: "Load a host's records written by `assentry export` into the configured store",
		Long: "Load the records of the host in FILE (written by `assentry export`) into the store this configuration " +
			"names, under the same host id (or --as ID), which must be one of its hosts. FILE is read whole and " +
			"checked first: a file of an unknown version, a truncated or altered one, a host that is not configured, " +
			"or signing keys that the host's key_encryption_key here does not open are refused before anything is " +
			"written. The host must hold no record yet (a server that served it once has made keys for it): import " +
			"never merges; --replace deletes what the host holds first. Records that have expired since the export " +
			"are skipped. The records are written in transactions of a few hundred. No server may run with this " +
			"configuration (with Badger it holds the data directory; with PostgreSQL it would serve the host while " +
			"it is written): start it when the import is done. Servers of the same PostgreSQL database that do not " +
			"serve the host may keep running.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.host != "" {
				return usageError{"import takes the host id from FILE: use --as ID to import it under another id"}
			}
			return importHost(cmd.Context(), g, args[0], as, replace, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "import the host under this id of the configuration instead of the id in FILE")
	cmd.Flags().BoolVar(&replace, "replace", false, "delete every record the host holds in the store before the import")
	return cmd
}

// importHost checks file whole, then imports it into the configured store and reports on out.
func importHost(ctx context.Context, g *globals, file, as string, replace bool, out io.Writer) error {
	settings, _, err := g.loadConfig()
	if err != nil {
		return err
	}
	h, counts, err := checkExport(file, settings, as)
	if err != nil {
		return err
	}
	target := h.Host
	if as != "" {
		target = as
	}
	if err := noServerOn(settings, "import", true); err != nil {
		return err
	}
	st, x, err := openForTransfer(ctx, g, settings, true)
	if err != nil {
		return err
	}
	defer st.Close()

	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := store.NewExportReader(f)
	if err != nil {
		return err
	}
	kek := hostSettings(settings, target).KeyEncryptionKeyBytes
	recs := func(yield func(store.Record, error) bool) {
		for rec, err := range r.Records() {
			if err == nil && target != h.Host {
				rec, err = moveRecord(kek, rec, target)
			}
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
	start := time.Now()
	res, err := x.ImportHost(ctx, target, recs, store.ImportOptions{Replace: replace})
	var ne *store.HostNotEmptyError
	switch {
	case errors.As(err, &ne):
		return &admin.Error{Kind: admin.KindConflict, Message: ne.Error() + ": nothing was imported. Import into a host " +
			"no server has served yet (a server makes signing keys for its hosts as it starts), or add --replace to " +
			"delete what the host holds first"}
	case err != nil:
		if res.Total() > 0 {
			return fmt.Errorf("import of %s into host %s of %s stopped after %d records: %w\n(run it again with --replace "+
				"to start the host over)", file, target, storeName(settings), res.Total(), err)
		}
		return fmt.Errorf("import of %s into host %s of %s: %w", file, target, storeName(settings), err)
	}
	if res.Replaced > 0 {
		fmt.Fprintf(out, "deleted the %d records host %s held first (--replace)\n", res.Replaced, target)
	}
	fmt.Fprintf(out, "imported host %s (exported from %s by assentry %s at %s) into host %s of %s: %s in %d transaction%s, %s\n",
		h.Host, h.Source, h.Assentry, h.ExportedAt.Format(time.RFC3339), target, storeName(settings), describeCounts(res.Imported),
		res.Batches, plural(res.Batches), time.Since(start).Round(time.Millisecond))
	if res.Expired > 0 {
		fmt.Fprintf(out, "skipped %d record%s that expired since the export (of %d in the file)\n", res.Expired,
			plural(res.Expired), total(counts))
	}
	return nil
}

// checkExport reads file whole and checks it against the configuration before anything is written: its header
// (an export of a version this build reads), every line, its trailer, that the host it goes to (its own, or as)
// is configured, and that the host's key_encryption_key here opens every sealed signing key. It returns the
// header and the count of records of each kind.
func checkExport(file string, s *config.Settings, as string) (store.ExportHeader, map[store.Kind]int, error) {
	f, err := os.Open(file)
	if err != nil {
		return store.ExportHeader{}, nil, err
	}
	defer f.Close()
	r, err := store.NewExportReader(f)
	var ve *store.ExportVersionError
	switch {
	case errors.Is(err, store.ErrNotExport) || errors.As(err, &ve):
		return store.ExportHeader{}, nil, usageError{fmt.Sprintf("%s: %v", file, err)}
	case err != nil:
		return store.ExportHeader{}, nil, fmt.Errorf("%s: %w", file, err)
	}
	h := r.Header()
	target := h.Host
	if as != "" {
		target = as
	}
	hs := hostSettings(s, target)
	if hs == nil {
		msg := fmt.Sprintf("%s holds host %q, which is not in the configuration (hosts: %s): add it to hosts, or "+
			"import it under a configured id with --as ID", file, h.Host, hostIDs(s))
		if as != "" {
			msg = fmt.Sprintf("--as %s: no such host in the configuration (hosts: %s)", as, hostIDs(s))
		}
		return h, nil, usageError{msg}
	}
	counts := map[store.Kind]int{}
	for rec, err := range r.Records() {
		if err != nil {
			return h, nil, fmt.Errorf("%s: %w (nothing was imported)", file, err)
		}
		if rec.Key != nil {
			if err := token.CheckKey(hs.KeyEncryptionKeyBytes, rec.Key); err != nil {
				return h, nil, fmt.Errorf("%s: %w. The signing keys are sealed under the key_encryption_key of the "+
					"server that exported them: give host %s the same key_encryption_key here (nothing was imported)",
					file, err, target)
			}
		}
		counts[rec.Kind()]++
	}
	return h, counts, nil
}

// moveRecord is rec as a record of host to (import --as): a sealed signing key is sealed again for it.
func moveRecord(kek []byte, rec store.Record, to string) (store.Record, error) {
	if rec.Key == nil {
		return rec.WithHost(to), nil
	}
	k, err := token.MoveKey(kek, rec.Key, to)
	return store.Record{Key: k}, err
}

// total is the sum of counts.
func total(counts map[store.Kind]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}
