package badger

import (
	"errors"
	"fmt"
	"strings"

	bdg "github.com/dgraph-io/badger/v4"

	"github.com/assentry/assentry/store"
)

// openReadOnly is Open with Options.ReadOnly: the store is read as it is, under a shared directory lock, and
// nothing in the directory is created or changed (Badger opens its files read-only and writes no pid file).
func openReadOnly(s *Store, bo bdg.Options) (*Store, error) {
	db, err := bdg.Open(bo.WithReadOnly(true))
	if err != nil {
		if strings.Contains(err.Error(), "Another process is using this Badger database") {
			return nil, fmt.Errorf("%w: %s (%v)", ErrLocked, bo.Dir, err)
		}
		return nil, fmt.Errorf("badger: open %s read-only: %w", bo.Dir, err)
	}
	v, err := readFormat(db)
	if err == nil && v > CurrentFormat {
		err = &store.FormatError{Where: "the data directory " + bo.Dir, Found: v, Current: CurrentFormat}
	}
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	s.db = db
	return s, nil
}
