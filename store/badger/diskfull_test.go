package badger_test

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testlog"
	"github.com/assentry/assentry/internal/tmpfs"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger"
)

// TestWatermarkFromOptions pins the watermark's sizing: one write-ahead log (a memtable plus the one batch that
// may overrun it), its level-0 table, and one level 0 → base level compaction (five level-0 tables and the
// base level's 10 MiB).
func TestWatermarkFromOptions(t *testing.T) {
	tests := []struct {
		name     string
		memtable int64
		want     uint64
	}{
		{"default 8 MiB memtable", 0, (8<<20 + 8<<20*15/100) + 8<<20 + (5*8<<20 + 10<<20)},
		{"1 MiB memtable", 1 << 20, (1<<20 + 1<<20*15/100) + 1<<20 + (5*1<<20 + 10<<20)},
		{"64 MiB memtable", 64 << 20, (64<<20 + 64<<20*15/100) + 64<<20 + (5*64<<20 + 10<<20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := badger.Watermark(badger.Options{Dir: "x", MemTableSize: tt.memtable}); got != tt.want {
				t.Fatalf("Watermark = %d (%.1f MiB), want %d (%.1f MiB)", got, mib(got), tt.want, mib(tt.want))
			}
		})
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// diskToken is token i of grant g, for the disk-full tests.
func diskToken(host, g string, i int) *store.Token {
	now := time.Now()
	return &store.Token{ID: fmt.Sprintf("t-%s-%06d", g, i), Host: host, Kind: store.AccessToken, GrantID: g,
		ClientID: "c", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
}

// issue stores a client credentials grant and its token in one write, as the token endpoint does.
func issue(t testing.TB, s *badger.Store, host string, i int) error {
	now := time.Now()
	g := &store.Grant{ID: fmt.Sprintf("g%06d", i), Host: host, ClientID: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	return s.Grants().Create(t.Context(), g, diskToken(host, g.ID, i))
}

// TestDiskFullRefusesWrites plays a full disk with an injected free-space probe: below the watermark, writes
// fail with store.ErrUnavailable (before Badger is asked to write), reads go on, the ballast is released and the
// trip is logged once; above the watermark plus the hysteresis again, the ballast is back and writes resume by
// themselves, logged once.
func TestDiskFullRefusesWrites(t *testing.T) {
	dir := t.TempDir()
	logs := &testlog.Buffer{}
	var free atomic.Uint64
	free.Store(1 << 40)
	o := badger.Options{Dir: dir, Logger: slog.New(slog.NewJSONHandler(logs, nil)), GCInterval: -1, MemTableSize: 1 << 20,
		FreeSpace: func(string) (uint64, error) { return free.Load(), nil }}
	s, err := badger.Open(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mark := badger.Watermark(o)
	if mark == 0 {
		t.Fatal("no watermark")
	}
	ballast := filepath.Join(dir, badger.BallastFile)
	checkBallast := func(when string) {
		t.Helper()
		fi, err := os.Stat(ballast)
		if err != nil {
			t.Fatalf("%s: ballast: %v", when, err)
		}
		if uint64(fi.Size()) != mark {
			t.Fatalf("%s: ballast of %d bytes, want the watermark's %d", when, fi.Size(), mark)
		}
	}
	checkBallast("after Open")
	if err := s.Writable(); err != nil {
		t.Fatalf("Writable with space: %v", err)
	}
	if err := issue(t, s, "h", 0); err != nil {
		t.Fatal(err)
	}

	// Below the watermark: the store must notice by itself, from the bytes written (a check whenever a new
	// memtable may be needed) or its ticker, well before 20000 writes (about 10 MiB, ten memtables).
	free.Store(mark - 1)
	refusedAt := -1
	for i := 1; i <= 20000; i++ {
		err := issue(t, s, "h", i)
		if errors.Is(err, store.ErrUnavailable) {
			refusedAt = i
			break
		}
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if refusedAt < 0 {
		t.Fatal("20000 writes below the watermark were all accepted")
	}
	if err := s.Writable(); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Writable below the watermark: %v, want ErrUnavailable", err)
	}
	if _, err := os.Stat(ballast); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the ballast was not released when writes were refused: %v", err)
	}
	// Every kind of write is refused, bulk ones too; reads go on.
	if err := s.Grants().Revoke(t.Context(), "h", "g000000"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("revocation below the watermark: %v, want ErrUnavailable", err)
	}
	if err := s.Users().Create(t.Context(), &store.User{ID: "u", Host: "h", Username: "u"}); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("user creation below the watermark: %v, want ErrUnavailable", err)
	}
	if tok, err := s.Tokens().Get(t.Context(), "h", diskToken("h", "g000000", 0).ID); err != nil || tok.GrantID != "g000000" {
		t.Fatalf("read while writes are refused: %v %v", tok, err)
	}
	if _, err := s.Grants().Get(t.Context(), "h", "g000000"); err != nil {
		t.Fatalf("read while writes are refused: %v", err)
	}

	// Just above the watermark is not enough: resuming needs the hysteresis and room for the ballast.
	free.Store(mark + 1)
	s.ProbeSpace()
	if err := issue(t, s, "h", 30001); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("write just above the watermark, still within the hysteresis: %v, want ErrUnavailable", err)
	}

	free.Store(1 << 40)
	s.ProbeSpace()
	if err := s.Writable(); err != nil {
		t.Fatalf("Writable once space is back: %v", err)
	}
	checkBallast("after space returned")
	if err := issue(t, s, "h", 30002); err != nil {
		t.Fatalf("write once space is back: %v", err)
	}
	if n := strings.Count(logs.String(), "refusing writes"); n != 1 {
		t.Fatalf("the trip was logged %d times, want once:\n%s", n, logs)
	}
	if n := strings.Count(logs.String(), "accepting writes again"); n != 1 {
		t.Fatalf("the recovery was logged %d times, want once:\n%s", n, logs)
	}
}

// TestDiskFullAtOpen reopens a store: with room, it keeps its ballast; on a disk already below the watermark it
// opens (reads work), refuses writes from the start, and keeps no ballast.
func TestDiskFullAtOpen(t *testing.T) {
	dir := t.TempDir()
	var free atomic.Uint64
	free.Store(1 << 40)
	o := badger.Options{Dir: dir, Logger: quiet, GCInterval: -1, MemTableSize: 1 << 20,
		FreeSpace: func(string) (uint64, error) { return free.Load(), nil }}
	s, err := badger.Open(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if err := issue(t, s, "h", 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// With room, a reopened store keeps the ballast it made.
	ballast := filepath.Join(dir, badger.BallastFile)
	before, err := os.Stat(ballast)
	if err != nil {
		t.Fatal(err)
	}
	if s, err = badger.Open(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	if after, err := os.Stat(ballast); err != nil || !os.SameFile(before, after) {
		t.Fatalf("the ballast was made again on reopening: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	free.Store(badger.Watermark(o) / 2)
	if s, err = badger.Open(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := issue(t, s, "h", 1); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("write on a full disk after Open: %v, want ErrUnavailable", err)
	}
	if _, err := s.Grants().Get(t.Context(), "h", "g000000"); err != nil {
		t.Fatalf("read on a full disk after Open: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, badger.BallastFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("ballast kept on a full disk: %v", err)
	}
}

// Bounds of TestDiskFullTmpfs: counted, not timed.
const (
	tmpfsMiB     = 128
	tmpfsWriters = 8
	tmpfsMax     = 400000 // writes at most, about 100 MiB of log: far more than the filesystem holds
)

// TestDiskFullTmpfs fills a real filesystem: a 128 MiB tmpfs (root only; it skips otherwise, but fails under
// CI=true) holds the data directory, a filler file leaves the watermark plus 6 MiB free, and eight writers issue
// tokens until the store refuses them. Without the watermark Badger runs into the full filesystem through its
// memory-mapped write-ahead log and the kernel kills this process with SIGBUS. With it, writes fail with
// store.ErrUnavailable, every acknowledged one stays readable, and once the filler is removed writes resume and
// survive a clean close and reopen.
func TestDiskFullTmpfs(t *testing.T) {
	mnt := tmpfs.Mount(t, tmpfsMiB)
	dir := filepath.Join(mnt, "data")
	o := badger.Options{Dir: dir, Logger: quiet, GCInterval: -1, MemTableSize: 1 << 20}
	s, err := badger.Open(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	mark := badger.Watermark(o)
	filler, err := tmpfs.Fill(mnt, "filler", mark+6<<20)
	if err != nil {
		t.Fatal(err)
	}
	var next, refused atomic.Int64
	acked := make([][]int, tmpfsWriters)
	var wg sync.WaitGroup
	for w := range tmpfsWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for refused.Load() == 0 {
				i := int(next.Add(1))
				if i > tmpfsMax {
					return
				}
				err := issue(t, s, "h", i)
				switch {
				case err == nil:
					acked[w] = append(acked[w], i)
				case errors.Is(err, store.ErrUnavailable):
					refused.CompareAndSwap(0, int64(i))
				default:
					t.Errorf("write %d: %v", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if refused.Load() == 0 {
		t.Fatalf("%d writes on a full filesystem were all accepted", tmpfsMax)
	}
	total := 0
	for _, a := range acked {
		total += len(a)
	}
	freeNow, _ := tmpfs.Free(mnt)
	t.Logf("writes refused after %d acknowledged ones, %.1f MiB free (watermark %.1f MiB)", total, mib(freeNow), mib(mark))
	if _, err := os.Stat(filepath.Join(dir, badger.BallastFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the ballast was not released: %v", err)
	}
	checkAcked := func(s *badger.Store, when string) {
		t.Helper()
		for _, a := range acked {
			for _, i := range a {
				g := fmt.Sprintf("g%06d", i)
				if _, err := s.Tokens().Get(t.Context(), "h", diskToken("h", g, i).ID); err != nil {
					t.Fatalf("%s: acknowledged token %d: %v", when, i, err)
				}
			}
		}
	}
	checkAcked(s, "while writes are refused")

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	s.ProbeSpace()
	if err := issue(t, s, "h", tmpfsMax+1); err != nil {
		t.Fatalf("write after space returned: %v", err)
	}
	acked[0] = append(acked[0], tmpfsMax+1)
	if _, err := os.Stat(filepath.Join(dir, badger.BallastFile)); err != nil {
		t.Fatalf("the ballast was not recreated: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = badger.Open(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	checkAcked(s, "after reopening")
}
