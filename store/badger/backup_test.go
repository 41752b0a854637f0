package badger_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger"
)

// issueCC stores one client credentials grant with its access token, both named id.
func issueCC(ctx context.Context, s *badger.Store, id string) error {
	now := time.Now()
	g := &store.Grant{ID: id, Host: "h", ClientID: "c", Scopes: []string{"s"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	return s.Grants().Create(ctx, g, &store.Token{ID: id, Host: "h", Kind: store.AccessToken, GrantID: id, ClientID: "c",
		Scopes: g.Scopes, IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
}

// backupFile backs s up to a file in a new temp directory and returns its path.
func backupFile(t *testing.T, s *badger.Store) (string, badger.BackupInfo) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "assentry.backup")
	info, err := badger.WriteBackupFile(t.Context(), path, s.Backup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the temporary file is left behind: %v", err)
	}
	return path, info
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := t.Context()
	s, err := badger.Open(ctx, badger.Options{Dir: t.TempDir(), Logger: quiet, MemTableSize: 4 << 20, Version: "v9.9.9-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 50 {
		if err := issueCC(ctx, s, fmt.Sprint("g", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Grants().Revoke(ctx, "h", "g7"); err != nil {
		t.Fatal(err)
	}
	path, info := backupFile(t, s)
	if info.Version != "v9.9.9-test" || info.StoreFormat != badger.CurrentFormat || info.Format != badger.BackupFormat ||
		info.CreatedAt.IsZero() || info.Size == 0 {
		t.Fatalf("backup info %+v", info)
	}
	if fi, _ := os.Stat(path); fi.Size() != info.Size || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file size %d mode %v, info says %d", fi.Size(), fi.Mode().Perm(), info.Size)
	}

	dir := filepath.Join(t.TempDir(), "restored") // absent: created
	got, err := badger.Restore(ctx, path, dir, quiet)
	if err != nil || got.Size != info.Size || !got.CreatedAt.Equal(info.CreatedAt) {
		t.Fatalf("restore: %+v %v", got, err)
	}
	r := open(t, dir, nil)
	defer r.Close()
	if v, err := r.FormatVersion(ctx); err != nil || v != badger.CurrentFormat {
		t.Fatalf("restored format %d %v", v, err)
	}
	for i := range 50 {
		id := fmt.Sprint("g", i)
		_, err := r.Tokens().Get(ctx, "h", id)
		if id == "g7" {
			if !errors.Is(err, store.ErrRevoked) {
				t.Errorf("%s: %v, want revoked as it was at the backup", id, err)
			}
		} else if err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	// The restored store takes writes after the loaded versions.
	if err := issueCC(ctx, r, "after"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Tokens().Get(ctx, "h", "after"); err != nil {
		t.Fatal(err)
	}
}

// TestBackupUnderWrites: writers keep issuing while the backup runs; every write acknowledged before Backup was
// called is in it, and every grant in it has its token (no write is torn).
func TestBackupUnderWrites(t *testing.T) {
	ctx := t.Context()
	s := open(t, t.TempDir(), nil)
	defer s.Close()
	var mu sync.Mutex
	var acked []string
	stop, ahead := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("w%d-%d", w, i)
				if err := issueCC(ctx, s, id); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked = append(acked, id)
				if len(acked) == 2000 {
					once.Do(func() { close(ahead) })
				}
				mu.Unlock()
			}
		}()
	}
	<-ahead // the writers have 2000 acknowledged: back up in the middle of their work
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	path, _ := backupFile(t, s)
	close(stop)
	wg.Wait()

	dir := t.TempDir()
	if _, err := badger.Restore(ctx, path, dir, quiet); err != nil {
		t.Fatal(err)
	}
	r := open(t, dir, nil)
	defer r.Close()
	for _, id := range before {
		if _, err := r.Tokens().Get(ctx, "h", id); err != nil {
			t.Fatalf("token %s acknowledged before the backup began: %v", id, err)
		}
	}
	mu.Lock()
	all := acked
	mu.Unlock()
	in := 0
	for _, id := range all {
		_, gerr := r.Grants().Get(ctx, "h", id)
		_, terr := r.Tokens().Get(ctx, "h", id)
		if (gerr == nil) != (terr == nil) {
			t.Fatalf("%s is torn in the backup: grant %v, token %v", id, gerr, terr)
		}
		if gerr == nil {
			in++
		}
	}
	t.Logf("%d acknowledged before the backup, %d in it, %d in all", len(before), in, len(all))
}

func TestRestoreRefuses(t *testing.T) {
	ctx := t.Context()
	s := open(t, t.TempDir(), nil)
	if err := issueCC(ctx, s, "g"); err != nil {
		t.Fatal(err)
	}
	good, _ := backupFile(t, s)
	s.Close()
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(b []byte) string {
		p := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flipped := bytes.Clone(data)
	flipped[len(data)/2] ^= 1
	newer := bytes.Replace(data, []byte(`"store_format":1`), []byte(`"store_format":7`), 1)
	newerEnvelope := bytes.Replace(data, []byte(`"backup_format":1`), []byte(`"backup_format":3`), 1)
	occupied := t.TempDir()
	if err := os.WriteFile(filepath.Join(occupied, "MANIFEST"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file, dir string
		want            []string
	}{
		{name: "non-empty directory", file: good, dir: occupied, want: []string{occupied, "not empty", "MANIFEST"}},
		{name: "foreign file", file: write([]byte("PK\x03\x04 a zip file, say")), want: []string{"not an Assentry backup"}},
		{name: "empty file", file: write(nil), want: []string{"not an Assentry backup"}},
		{name: "truncated", file: write(data[:len(data)-100]), want: []string{"damaged", "cut short"}},
		{name: "cut at the trailer", file: write(data[:len(data)-48]), want: []string{"damaged", "cut short"}},
		{name: "altered", file: write(flipped), want: []string{"damaged", "checksum"}},
		{name: "newer store format", file: write(newer), want: []string{"store format 7", "up to 1", "later one"}},
		{name: "newer envelope", file: write(newerEnvelope), want: []string{"envelope format 3", "later one"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir
			if dir == "" {
				dir = filepath.Join(t.TempDir(), "target")
			}
			_, err := badger.Restore(ctx, tt.file, dir, quiet)
			if err == nil {
				t.Fatal("restored")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
			if tt.dir == "" {
				if _, serr := os.Stat(dir); !errors.Is(serr, os.ErrNotExist) {
					t.Errorf("the refused restore left %s behind", dir)
				}
			}
		})
	}
}

// TestWriteBackupRefusesShortStream: a source that fails, or ends without its trailer (a server that died
// mid-stream), leaves no file.
func TestWriteBackupRefusesShortStream(t *testing.T) {
	s := open(t, t.TempDir(), nil)
	defer s.Close()
	var full bytes.Buffer
	if err := s.Backup(t.Context(), &full); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "b")
	_, err := badger.WriteBackupFile(t.Context(), path, func(_ context.Context, w io.Writer) error {
		_, err := w.Write(full.Bytes()[:full.Len()-10])
		return err
	})
	if !errors.Is(err, badger.ErrDamaged) {
		t.Fatalf("short stream: %v", err)
	}
	for _, p := range []string{path, path + ".tmp"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s exists after a failed backup", p)
		}
	}
}
