package badger_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger"
)

// TestImportSplitsBigBatches imports one batch far bigger than a Badger transaction may hold (a 1 MiB memtable
// caps one at about 150 KiB; the batch is about 1 MiB): it is written in several transactions, and every
// record arrives.
func TestImportSplitsBigBatches(t *testing.T) {
	t.Parallel()
	s, err := badger.Open(t.Context(), badger.Options{Dir: t.TempDir(), Logger: quiet, MemTableSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 1000
	long := "https://app.example.org/" + strings.Repeat("x", 1000)
	recs := func(yield func(store.Record, error) bool) {
		for i := range n {
			c := &store.Client{ID: fmt.Sprint("c", i), Host: "h", Name: "App", RedirectURIs: []string{long}}
			if !yield(store.Record{Client: c}, nil) {
				return
			}
		}
	}
	res, err := s.ImportHost(t.Context(), "h", recs, store.ImportOptions{Batch: n})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported[store.KindClient] != n || res.Batches < 4 {
		t.Errorf("imported %d clients in %d transactions; want %d in at least 4", res.Imported[store.KindClient], res.Batches, n)
	}
	all, err := s.Clients().List(t.Context(), "h")
	if err != nil || len(all) != n {
		t.Fatalf("List: %d clients, %v", len(all), err)
	}
}
