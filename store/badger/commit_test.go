package badger

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

func openInternal(t *testing.T, noGroup bool) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler),
		MemTableSize: 4 << 20, NoGroupCommit: noGroup, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestBatchSemantics runs a batch of three writes by hand, as the committer would: each sees the writes before it
// in the batch, a failing one leaves nothing behind and gets its own error, the others are committed together in
// one transaction (one sync).
func TestBatchSemantics(t *testing.T) {
	s := openInternal(t, true) // no committer running: runBatch is called directly
	a, b, c := []byte("t/a"), []byte("t/b"), []byte("t/c")
	refused := errors.New("refused")
	var sawA []byte
	mk := func(fn func(*txn) error) *op { return &op{fn: fn, done: make(chan error, 1)} }
	ops := []*op{
		mk(func(t *txn) error { return t.set(a, []byte("1"), time.Time{}) }),
		mk(func(t *txn) error {
			v, err := t.get(a)
			sawA = v
			if err != nil {
				return err
			}
			if err := t.set(b, []byte("2"), time.Time{}); err != nil {
				return err
			}
			if got, _ := t.get(b); string(got) != "2" {
				return errors.New("a write does not see its own write")
			}
			return refused
		}),
		mk(func(t *txn) error {
			if v, _ := t.get(b); v != nil {
				return errors.New("the failed write's value leaked into the batch")
			}
			return t.set(c, []byte("3"), time.Time{})
		}),
	}
	before := s.Stats()
	s.runBatch(ops)
	for i, want := range []error{nil, refused, nil} {
		if err := <-ops[i].done; !errors.Is(err, want) {
			t.Errorf("write %d: %v, want %v", i, err, want)
		}
	}
	if string(sawA) != "1" {
		t.Errorf("the second write read %q of the first, want 1", sawA)
	}
	if st := s.Stats(); st.Commits-before.Commits != 1 || st.Writes-before.Writes != 2 {
		t.Errorf("stats %+v (before %+v): want one commit carrying two writes", st, before)
	}
	for k, want := range map[string]string{"t/a": "1", "t/b": "", "t/c": "3"} {
		var got []byte
		if err := s.view(context.Background(), func(t *txn) (err error) { got, err = t.get([]byte(k)); return err }); err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

// TestScanSeesOverlay: a write's scan merges its own uncommitted sets and deletes, in key order.
func TestScanSeesOverlay(t *testing.T) {
	s := openInternal(t, true)
	err := s.update(context.Background(), func(t *txn) error {
		for _, k := range []string{"p/1", "p/2", "p/3"} {
			if err := t.set([]byte(k), []byte(k), time.Time{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	o := &op{fn: func(t *txn) error {
		if err := t.del([]byte("p/2")); err != nil {
			return err
		}
		if err := t.set([]byte("p/0"), []byte("p/0"), time.Time{}); err != nil {
			return err
		}
		vals, err := t.scan([]byte("p/"))
		if err != nil {
			return err
		}
		got := ""
		for _, v := range vals {
			got += string(v) + " "
		}
		if got != "p/0 p/1 p/3 " {
			return errors.New("scan saw " + got)
		}
		return nil
	}, done: make(chan error, 1)}
	s.runBatch([]*op{o})
	if err := <-o.done; err != nil {
		t.Fatal(err)
	}
}

// TestGroupCommitConcurrent: many concurrent writes through the committer keep every write's own outcome: of 16
// creations of one username exactly one succeeds, 48 distinct users all do, and every acknowledged user is there
// after a reopen.
func TestGroupCommitConcurrent(t *testing.T) {
	for _, noGroup := range []bool{false, true} {
		dir := t.TempDir()
		s, err := Open(context.Background(), Options{Dir: dir, Logger: slog.New(slog.DiscardHandler), MemTableSize: 4 << 20,
			NoGroupCommit: noGroup, GCInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		dupWins, ok := 0, []string{}
		for i := range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				name := "dup"
				if i >= 16 {
					name = "user" + string(rune('A'+i%26)) + string(rune('a'+i/26))
				}
				u := &store.User{ID: "id-" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Host: "h", Username: name}
				err := s.Users().Create(context.Background(), u)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && name == "dup":
					dupWins++
					ok = append(ok, u.ID)
				case err == nil:
					ok = append(ok, u.ID)
				case !errors.Is(err, store.ErrConflict):
					t.Errorf("create %s: %v", name, err)
				}
			}()
		}
		wg.Wait()
		st := s.Stats()
		t.Logf("group commit off=%v: %d writes in %d commits", noGroup, st.Writes, st.Commits)
		if dupWins != 1 || len(ok) != 49 {
			t.Fatalf("off=%v: %d creations of one username won, %d users created; want 1 and 49", noGroup, dupWins, len(ok))
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s, err = Open(context.Background(), Options{Dir: dir, Logger: slog.New(slog.DiscardHandler), MemTableSize: 4 << 20, GCInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ok {
			if _, err := s.Users().Get(context.Background(), "h", id); err != nil {
				t.Errorf("acknowledged user %s lost: %v", id, err)
			}
		}
		_ = s.Close()
	}
}

// TestPanickingWrite: a write whose code panics fails alone; the committer goes on serving the others.
func TestPanickingWrite(t *testing.T) {
	s := openInternal(t, false)
	err := s.update(context.Background(), func(*txn) error { panic("boom") })
	if err == nil {
		t.Fatal("a panicking write succeeded")
	}
	if err := s.update(context.Background(), func(t *txn) error { return t.set([]byte("k"), []byte("v"), time.Time{}) }); err != nil {
		t.Fatalf("the next write: %v", err)
	}
}
