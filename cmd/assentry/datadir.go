package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/assentry/assentry/core/config"
)

// Only serve creates a data directory (restore creates the one it is given). A management command that finds
// none is looking in the wrong place far more often than at a new installation: creating an empty store there
// would print an empty table, exit 0, and let the operator conclude the users are gone. So it fails instead,
// naming the path and how it was derived.

// errNoDataDir is a management command's data directory that does not exist; exit status 1.
type errNoDataDir struct {
	dir    string
	origin config.DataDirOrigin
	what   string // what the command could not do, e.g. "nothing to migrate"; "" for the general advice
}

func (e *errNoDataDir) Error() string {
	what := e.what
	if what == "" {
		what = "nothing was created. Is this the server's configuration? Point data_dir (or ASSENTRY_DATA_DIR) at " +
			"the server's data directory, or start `assentry serve` once to create a new one"
	}
	return fmt.Sprintf("no data directory at %s%s: %s", absPath(e.dir), derivedFrom(e.origin), what)
}

// errNoStore is a management command's data directory that exists but holds no store (no Badger MANIFEST): an
// empty directory made by an installation (systemd's StateDirectory=) or by hand, or the wrong directory. Opening
// it would create an empty store there and answer as if it were the server's; exit status 1.
type errNoStore struct {
	dir    string
	origin config.DataDirOrigin
	what   string // as errNoDataDir's
}

func (e *errNoStore) Error() string {
	what := e.what
	if what == "" {
		what = "nothing was created. Only `assentry serve` creates a store: start it once on this directory, or " +
			"point data_dir (or ASSENTRY_DATA_DIR) at the server's data directory"
	}
	return fmt.Sprintf("no store in %s%s: the directory exists but holds no Badger store (no MANIFEST); %s",
		absPath(e.dir), derivedFrom(e.origin), what)
}

// dataDirMoved is a relative data_dir that an older release took from the working directory, which holds a
// store, while the file's directory, where it is taken from now, holds none. Opening the new place would start
// an empty database, silently: refused.
type dataDirMoved struct {
	dir, before string
	origin      config.DataDirOrigin
}

func (e *dataDirMoved) Error() string {
	return fmt.Sprintf("refusing to open %s%s: it holds no store, but %s does. A relative data_dir is now taken "+
		"from the configuration file's directory, no longer from the working directory. Move %s to %s, or set "+
		"data_dir to the absolute path %s", e.dir, derivedFrom(e.origin), e.before, e.before, e.dir, e.before)
}

// prepareDataDir checks the data directory of s before the store is opened: refused when the data was left at
// the place an older release used (dataDirMoved); then created when create is set (serve), or else required to
// exist (errNoDataDir, with what the command could not do) and to hold a store (errNoStore).
func prepareDataDir(s *config.Settings, create bool, what string) error {
	if b := s.DataDirOrigin.Before; b != "" && holdsStore(b) && !holdsStore(s.DataDir) {
		return &dataDirMoved{dir: s.DataDir, before: b, origin: s.DataDirOrigin}
	}
	if create {
		if err := os.MkdirAll(s.DataDir, 0o700); err != nil {
			return fmt.Errorf("data directory%s: %w", derivedFrom(s.DataDirOrigin), err)
		}
		return nil
	}
	fi, err := os.Stat(s.DataDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &errNoDataDir{dir: s.DataDir, origin: s.DataDirOrigin, what: what}
	case err != nil:
		return fmt.Errorf("data directory%s: %w", derivedFrom(s.DataDirOrigin), err)
	case !fi.IsDir():
		return fmt.Errorf("data directory %s%s is not a directory", absPath(s.DataDir), derivedFrom(s.DataDirOrigin))
	case s.Store.Backend != config.StorePostgres && !holdsStore(s.DataDir):
		return &errNoStore{dir: s.DataDir, origin: s.DataDirOrigin, what: what}
	}
	return nil
}

// holdsStore reports whether dir holds a Badger store, which always has a MANIFEST.
func holdsStore(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "MANIFEST"))
	return err == nil
}

// derivedFrom is " (from <how the data directory was derived>)" for a message, "" when that is not known.
func derivedFrom(o config.DataDirOrigin) string {
	if o.From == "" {
		return ""
	}
	return " (from " + o.From + ")"
}

// absPath is p made absolute for a message (p itself when that fails).
func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
