package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/store"
	"github.com/spf13/cobra"
)

func newExportCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "export [--host ID] [FILE|-]",
		Short: "Write every record of one host to a portable file (to move the host to another store)",
		Long: "Write every live record of one host (--host, default the first) from the configured store to FILE " +
			"(- or none: standard output): users (deleted ones too, whose ids are never reused), clients, consents, " +
			"sessions, grants, tokens, codes, device codes, interactions, signing keys and bans of registered " +
			"clients, from one consistent snapshot. Expired records are left out. The file is JSON lines, versioned; " +
			"`assentry import` loads it into another store. The signing keys stay sealed under the " +
			"key_encryption_key, so the store it goes to must be served with the same one. FILE holds password " +
			"hashes and keys: it is written with mode 0600, keep it as safe as the store. With Badger, stop the " +
			"server first (it holds the data directory); with PostgreSQL the snapshot is consistent while servers " +
			"run, but what they write after it is not in FILE.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := "-"
			if len(args) == 1 {
				file = args[0]
			}
			return exportHost(cmd.Context(), g, file, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
}

// exportHost writes the export of the chosen host to file ("-": stdout) and reports on stdout, or stderr when
// the export goes to stdout.
func exportHost(ctx context.Context, g *globals, file string, stdout, stderr io.Writer) error {
	settings, _, err := g.loadConfig()
	if err != nil {
		return err
	}
	host, err := chosenHost(settings, g.host)
	if err != nil {
		return err
	}
	if err := noServerOn(settings, "export", settings.Store.Backend != config.StorePostgres); err != nil {
		return err
	}
	st, x, err := openForTransfer(ctx, g, settings, false)
	if err != nil {
		return err
	}
	defer st.Close()

	start := time.Now()
	h := store.ExportHeader{Host: host, Assentry: versionString(), ExportedAt: start.UTC(), Source: settings.Store.Backend}
	sealed := 0
	write := func(w io.Writer) (map[store.Kind]int, error) {
		ew, err := store.NewExportWriter(w, h)
		if err != nil {
			return nil, err
		}
		err = x.ExportHost(ctx, host, func(r store.Record) error {
			if r.Key != nil && token.CheckKey(nil, r.Key) != nil {
				sealed++ // opens with no KEK: sealed
			}
			return ew.Write(r)
		})
		if err != nil {
			return nil, err
		}
		return ew.Counts(), ew.Close()
	}
	report := stdout
	var counts map[store.Kind]int
	if file == "-" {
		report = stderr
		counts, err = write(stdout)
	} else {
		counts, err = writeFileAtomic(file, write)
	}
	if err != nil {
		return fmt.Errorf("export of host %s from %s: %w", host, storeName(settings), err)
	}
	if file == "-" {
		file = "standard output"
	}
	fmt.Fprintf(report, "exported host %s from %s to %s: %s in %s\n", host, storeName(settings), file, describeCounts(counts),
		time.Since(start).Round(time.Millisecond))
	if sealed > 0 {
		fmt.Fprintf(report, "%d signing key%s sealed under the key_encryption_key: import the file with a configuration "+
			"that gives the host the same key_encryption_key\n", sealed, plural(sealed))
	}
	return nil
}

// chosenHost is the host id named (--host), which must be configured, or the first host.
func chosenHost(s *config.Settings, id string) (string, error) {
	if id == "" {
		return s.Hosts[0].ID, nil
	}
	if hostSettings(s, id) == nil {
		return "", usageError{fmt.Sprintf("host %q is not in the configuration (hosts: %s)", id, hostIDs(s))}
	}
	return id, nil
}

// hostSettings is the configured host id, nil when there is none.
func hostSettings(s *config.Settings, id string) *config.HostSettings {
	for i := range s.Hosts {
		if s.Hosts[i].ID == id {
			return &s.Hosts[i]
		}
	}
	return nil
}

// noServerOn refuses to go on while a server answers on the configuration's admin socket, when refuse is set:
// it holds a Badger data directory, or serves the host an import would write.
func noServerOn(s *config.Settings, what string, refuse bool) error {
	_, err := dialAdmin(s)
	switch {
	case errors.Is(err, admin.ErrNoServer):
		return nil
	case err != nil:
		return err
	case refuse:
		return fmt.Errorf("a server is running with this configuration (%s): stop it, then run the %s again", storeName(s), what)
	}
	return nil
}

// openForTransfer opens the configured store, at the format this build writes, as a store.HostExporter; create
// makes a missing Badger data directory (an import into a new one).
func openForTransfer(ctx context.Context, g *globals, s *config.Settings, create bool) (backend, store.HostExporter, error) {
	log := slog.New(slog.DiscardHandler)
	var st backend
	var err error
	if create {
		st, err = openObservedStore(ctx, s, log, nil)
	} else {
		st, err = openStore(ctx, s, log)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := g.requireFormat(ctx, st, s, log); err != nil {
		_ = st.Close()
		return nil, nil, err
	}
	x, ok := st.(store.HostExporter)
	if !ok {
		_ = st.Close()
		return nil, nil, fmt.Errorf("the %s store cannot export or import a host", s.Store.Backend)
	}
	return st, x, nil
}

// writeFileAtomic has write fill path.tmp (mode 0600), syncs it and renames it to path, so that path is never a
// partial file; on error the temporary file is removed.
func writeFileAtomic[T any](path string, write func(io.Writer) (T, error)) (out T, err error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return out, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if out, err = write(f); err != nil {
		return out, err
	}
	if err = f.Sync(); err != nil {
		return out, err
	}
	if err = f.Close(); err != nil {
		return out, err
	}
	if err = os.Rename(tmp, path); err != nil {
		return out, err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return out, err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return out, err
	}
	return out, nil
}

// describeCounts is "N records (3 users, 2 clients, ...)" in the order of store.Kinds.
func describeCounts(counts map[store.Kind]int) string {
	total := 0
	var parts []string
	order := map[store.Kind]int{}
	for i, k := range store.Kinds() {
		order[k] = i
	}
	kinds := make([]store.Kind, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return order[kinds[i]] < order[kinds[j]] })
	for _, k := range kinds {
		if counts[k] > 0 {
			total += counts[k]
			parts = append(parts, fmt.Sprintf("%d %s%s", counts[k], strings.ReplaceAll(string(k), "_", " "), plural(counts[k])))
		}
	}
	if total == 0 {
		return "0 records"
	}
	return fmt.Sprintf("%d records (%s)", total, strings.Join(parts, ", "))
}
