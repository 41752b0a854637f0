package badger

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	bdg "github.com/dgraph-io/badger/v4"
)

// ErrNotEmpty refuses to restore into a directory that holds anything: restoring merges nothing and
// overwrites nothing, so a live data directory can never be clobbered by a mistyped path.
var ErrNotEmpty = errors.New("the directory is not empty")

// loadPending bounds the batches Badger's loader has in flight.
const loadPending = 16

// Restore loads the backup in file into dir, which must be empty or absent (it is then created, mode 0700).
// The file is checked whole (envelope, length, checksum) before dir is touched, so a foreign, newer or damaged
// file is refused with nothing written. On failure after that, whatever was written to dir is removed again.
// The data keeps the store format it had when backed up: a backup of an older format restores as such and
// needs `assentry migrate` like any older data directory.
func Restore(ctx context.Context, file, dir string, log *slog.Logger) (info BackupInfo, err error) {
	if log == nil {
		log = slog.Default()
	}
	f, err := os.Open(file)
	if err != nil {
		return info, err
	}
	defer f.Close()
	_, hlen, err := readHeader(bufio.NewReader(f))
	if err != nil {
		return info, fmt.Errorf("%s: %w", file, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return info, err
	}
	v := newVerifier()
	if info.Size, err = io.Copy(v, ctxReader{ctx, f}); err != nil {
		return info, err
	}
	if info.BackupHeader, err = v.Check(); err != nil {
		return info, fmt.Errorf("%s: %w", file, err)
	}

	created, err := claimDir(dir)
	if err != nil {
		return info, err
	}
	defer func() {
		if err != nil {
			undoRestore(dir, created)
		}
	}()
	if _, err = f.Seek(hlen, io.SeekStart); err != nil {
		return info, err
	}
	db, err := bdg.Open(badgerOptions(Options{Dir: dir}, log.With("component", "restore")))
	if err != nil {
		return info, fmt.Errorf("badger: open %s: %w", dir, err)
	}
	err = db.Load(ctxReader{ctx, io.LimitReader(f, v.n-hlen)}, loadPending)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("badger: close %s: %w", dir, cerr)
	}
	if err != nil {
		return info, fmt.Errorf("loading %s into %s: %w", file, dir, err)
	}
	if err = syncDirErr(dir); err == nil && created {
		err = syncDirErr(filepath.Dir(filepath.Clean(dir)))
	}
	return info, err
}

// claimDir makes sure dir exists and is empty, creating it when absent (created reports that).
func claimDir(dir string) (created bool, err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true, os.MkdirAll(dir, 0o700)
	case err != nil:
		return false, err
	case len(entries) > 0:
		return false, fmt.Errorf("%w: %s holds %d entries (%s first); restore into a new or empty directory, "+
			"then point data_dir at it", ErrNotEmpty, dir, len(entries), entries[0].Name())
	}
	return false, nil
}

// undoRestore removes what a failed restore wrote: dir itself when it created it, else dir's contents (it was
// empty before).
func undoRestore(dir string, created bool) {
	if created {
		_ = os.RemoveAll(dir)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		_ = os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// ctxReader fails with ctx's error once ctx ends, so a long restore can be interrupted.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
