package badger_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger"
)

// TestReadOnly: a read-only Open reads the store and refuses its writes, changes no file of the directory, and
// fails with ErrLocked while a writable Open holds the directory.
func TestReadOnly(t *testing.T) {
	ctx, dir := t.Context(), t.TempDir()
	s, err := badger.Open(ctx, badger.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Keys().Create(ctx, &store.Key{Host: "h", ID: "k1", Use: "sig", CreatedAt: time.Now(), Private: []byte{1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := badger.Open(ctx, badger.Options{Dir: dir, ReadOnly: true}); !errors.Is(err, badger.ErrLocked) {
		t.Fatalf("read-only Open of a store held by another Open: %v, want ErrLocked", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	before := files(t, dir)
	ro, err := badger.Open(ctx, badger.Options{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ro.Keys().List(ctx, "h", "sig"); err != nil || len(got) != 1 || got[0].ID != "k1" {
		t.Fatalf("List on a read-only store = %v, %v; want k1", got, err)
	}
	if err := ro.Keys().Delete(context.Background(), "h", "k1"); err == nil {
		t.Fatal("a read-only store deleted a key")
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	after := files(t, dir)
	for p, v := range after {
		if before[p] != v {
			t.Errorf("read-only Open changed or created %s", p)
		}
	}
	if len(after) != len(before) {
		t.Errorf("read-only Open removed files: %d before, %d after", len(before), len(after))
	}
}

// files lists every file under dir with its size and modification time.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out[p] = fi.ModTime().String() + " " + fi.Mode().String() + " " + strconv.FormatInt(fi.Size(), 10)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
