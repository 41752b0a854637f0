package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/audit"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/events"
	badgerstore "github.com/assentry/assentry/store/badger"
	"github.com/spf13/cobra"
)

func newBackupCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a full, consistent backup of the data directory to FILE (- for standard output)",
		Long: "Write a full backup of the store to FILE, as of one instant: every write acknowledged before the command " +
			"started is in it. While a server runs on the data directory the backup streams from it over the admin " +
			"socket and the server keeps serving; on a stopped directory the store is opened here. FILE is written " +
			"as FILE.tmp, checked, synced and renamed, so it is never a partial backup. The key_encryption_key is not " +
			"in the store: keep it with the backup, or the signing keys in it cannot be opened.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return backup(cmd.Context(), g, args[0], cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
}

// backup writes the backup of the configured data directory to file ("-": stdout) and reports it on report
// (stderr when the backup goes to stdout).
func backup(ctx context.Context, g *globals, file string, stdout, stderr io.Writer) error {
	settings, _, err := g.loadConfig()
	if err != nil {
		return err
	}
	if settings.Store.Backend == config.StorePostgres {
		return errPostgresBackup
	}
	src, from, done, err := backupSource(ctx, settings)
	if err != nil {
		return err
	}
	defer done()
	start := time.Now()
	var info badgerstore.BackupInfo
	report := stdout
	if file == "-" {
		report = stderr
		info, err = badgerstore.WriteBackup(ctx, stdout, src)
	} else {
		info, err = badgerstore.WriteBackupFile(ctx, file, src)
	}
	if err != nil {
		return fmt.Errorf("backup of %s: %w", settings.DataDir, err)
	}
	if file == "-" {
		file = "standard output"
	}
	_, err = fmt.Fprintf(report, "backed up %s (%s) to %s: %s in %s, store format %d, assentry %s\n",
		settings.DataDir, from, file, humanBytes(info.Size), time.Since(start).Round(time.Millisecond), info.StoreFormat, info.Version)
	return err
}

// backupSource is where the backup comes from: the running server over its admin socket, or the store opened
// here when no server holds the directory. done releases it.
func backupSource(ctx context.Context, settings *config.Settings) (src badgerstore.BackupFunc, from string, done func(), err error) {
	cl, err := dialAdmin(settings)
	switch {
	case err == nil:
		return cl.Backup, "from the running server", func() {}, nil
	case !errors.Is(err, admin.ErrNoServer):
		return nil, "", nil, err
	}
	if err := prepareDataDir(settings, false, "nothing to back up"); err != nil {
		return nil, "", nil, err
	}
	// An older format is backed up as it is: a backup before `assentry migrate` is the upgrade's way back.
	st, err := openStore(ctx, settings, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, "", nil, fmt.Errorf("%w\n(no server answers on its admin socket either; is a server starting or stopping?)", err)
	}
	b, ok := st.(*badgerstore.Store)
	if !ok {
		_ = st.Close()
		return nil, "", nil, errors.New("the PostgreSQL store has no backup of its own: back the database up with pg_dump")
	}
	audited, closeAudit, err := auditedHere(settings, b.Backup)
	if err != nil {
		_ = b.Close()
		return nil, "", nil, err
	}
	return audited, "stopped, opened directly", func() { closeAudit(); _ = b.Close() }, nil
}

// auditedHere is src audited as the running server audits a backup (admin.Services.StreamBackup: an
// admin.action of op backup on the default host's audit log), with this process's uid as the actor, as runHere
// audits the other management commands run without a server. Only the default host's log is opened: the hosts
// themselves are not built, since a backup of an older store format must not need them.
func auditedHere(settings *config.Settings, src admin.BackupFunc) (badgerstore.BackupFunc, func(), error) {
	if len(settings.Hosts) == 0 { // a loaded configuration has a host; without one there is no log to write to
		return badgerstore.BackupFunc(src), func() {}, nil
	}
	files := audit.NewFiles(slog.New(slog.DiscardHandler))
	h := &settings.Hosts[0]
	sink, err := auditSinks(files)(h)
	if err != nil {
		files.Close()
		return nil, nil, err
	}
	svc := &admin.Services{Default: h.ID, Backup: src,
		Hosts: map[string]*admin.HostServices{h.ID: {Events: &events.Emitter{Sink: sink, Host: h.ID}}}}
	actor := "uid:" + strconv.Itoa(os.Getuid())
	return func(ctx context.Context, w io.Writer) error {
		return svc.StreamBackup(events.WithActor(ctx, actor), w)
	}, func() { files.Close() }, nil
}

// errPostgresBackup is the answer of backup and restore on a PostgreSQL configuration: their file format is a
// copy of a Badger data directory, and PostgreSQL has its own tools, which also back up a database that several
// servers write at once.
var errPostgresBackup = errors.New("assentry backup and restore copy a Badger data directory, and the configured " +
	"store is PostgreSQL (store.backend: postgres): back the database up with pg_dump and restore it with " +
	"pg_restore; the key_encryption_key is not in the database, keep it with the dump")

// humanBytes prints a byte count in KiB or MiB.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
