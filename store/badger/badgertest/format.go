package badgertest

import (
	"strconv"
	"testing"

	bdg "github.com/dgraph-io/badger/v4"
)

// SetFormat forges the format stamp of a closed data directory, for tests of what the store and the CLI do
// with data of another format: v = 0 removes the stamp (a directory written before formats were versioned),
// any other v writes it (a directory of a newer release). It opens Badger itself, bypassing the store's own
// check, which is the point; nothing else outside store/badger should.
func SetFormat(t testing.TB, dir string, v int) {
	t.Helper()
	db, err := bdg.Open(bdg.DefaultOptions(dir).WithLogger(nil).WithSyncWrites(true))
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	err = db.Update(func(tx *bdg.Txn) error {
		if v == 0 {
			return tx.Delete([]byte("m/format"))
		}
		return tx.Set([]byte("m/format"), []byte(strconv.Itoa(v)))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("set the format of %s to %d: %v", dir, v, err)
	}
}
