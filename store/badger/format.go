package badger

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	bdg "github.com/dgraph-io/badger/v4"

	"github.com/assentry/assentry/store"
)

// CurrentFormat is the store format this build writes (store.Migrator). Raise it only together with a new
// entry at the end of migrations.
const CurrentFormat = 1

// formatKey holds the data's format version as a decimal string. It lies outside every host's h/ prefix, so
// no host scan ever sees it.
var formatKey = []byte("m/format")

// readFormat returns the format of the data in db: the stamp, 0 for data without one (written before formats
// were versioned), and -1 for an empty database, which Open stamps.
func readFormat(db *bdg.DB) (int, error) {
	v := -1
	err := db.View(func(tx *bdg.Txn) error {
		item, err := tx.Get(formatKey)
		if err == nil {
			b, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			if v, err = strconv.Atoi(string(b)); err != nil || v < 1 {
				return fmt.Errorf("badger: the format stamp %q is not a version", b)
			}
			return nil
		}
		if !errors.Is(err, bdg.ErrKeyNotFound) {
			return err
		}
		it := tx.NewIterator(bdg.IteratorOptions{})
		defer it.Close()
		if it.Rewind(); it.Valid() {
			v = 0
		}
		return nil
	})
	return v, err
}

// writeFormat stamps db with version v in one synced write. It goes straight to Badger, not through the
// committer: it runs at open (before any other write) and between migration steps (when nothing else writes).
func writeFormat(db *bdg.DB, v int) error {
	return db.Update(func(tx *bdg.Txn) error {
		return tx.Set(formatKey, []byte(strconv.Itoa(v)))
	})
}

// checkFormat is Open's part: stamp an empty database, refuse one newer than this build. where names the data
// for the error.
func checkFormat(db *bdg.DB, where string) error {
	v, err := readFormat(db)
	switch {
	case err != nil:
		return err
	case v < 0:
		return writeFormat(db, CurrentFormat)
	case v > CurrentFormat:
		return &store.FormatError{Where: where, Found: v, Current: CurrentFormat}
	}
	return nil
}

var _ store.Migrator = (*Store)(nil)

// FormatVersion returns the format of the data as stored now (store.Migrator).
func (s *Store) FormatVersion(ctx context.Context) (int, error) {
	release, err := s.enter(ctx)
	if err != nil {
		return 0, err
	}
	defer release()
	v, err := readFormat(s.db)
	return max(v, 0), err
}

// CurrentFormat is the format this build writes (store.Migrator).
func (s *Store) CurrentFormat() int { return CurrentFormat }

// Pending lists the migrations the data needs, in order (store.Migrator).
func (s *Store) Pending(ctx context.Context) ([]store.Step, error) {
	v, err := s.FormatVersion(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.Step
	for _, m := range migrations {
		if m.From >= v {
			out = append(out, m.step())
		}
	}
	return out, nil
}

// Migrate runs the pending migrations in order and stamps the data with each step's To as soon as that step
// is done (store.Migrator). It is meant for a store no server is using (assentry migrate, or serve before it
// serves), since a step may see the data halfway between two formats.
func (s *Store) Migrate(ctx context.Context) ([]store.Step, error) {
	var done []store.Step
	for {
		v, err := s.FormatVersion(ctx)
		if err != nil {
			return done, err
		}
		i := migrationFrom(v)
		if i < 0 {
			return done, nil
		}
		m := migrations[i]
		if err := m.Run(ctx, s); err != nil {
			return done, fmt.Errorf("migration %s: %w", m.step(), err)
		}
		if err := s.stamp(ctx, m.To); err != nil {
			return done, fmt.Errorf("migration %s ran, but its version could not be recorded (it runs again next time): %w",
				m.step(), err)
		}
		s.log.Info("store migrated", "from", m.From, "to", m.To, "migration", m.Describe)
		done = append(done, m.step())
	}
}

// stamp records format v, admitted like any operation (ErrClosed after Close).
func (s *Store) stamp(ctx context.Context, v int) error {
	release, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer release()
	return writeFormat(s.db, v)
}
