package badger_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger"
	"github.com/assentry/assentry/store/badger/badgertest"
)

func TestMigrationsChain(t *testing.T) {
	if err := store.CheckSteps(badger.Steps(), badger.CurrentFormat); err != nil {
		t.Fatal(err)
	}
}

// formatOf opens dir, returns its format and pending steps, and closes it.
func formatOf(t *testing.T, dir string) (int, []store.Step) {
	t.Helper()
	s := open(t, dir, nil)
	defer s.Close()
	v, err := s.FormatVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Pending(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return v, p
}

func TestFormatStampedOnFirstOpen(t *testing.T) {
	dir := t.TempDir()
	if v, p := formatOf(t, dir); v != badger.CurrentFormat || len(p) != 0 {
		t.Fatalf("fresh directory: format %d, pending %v; want %d and none", v, p, badger.CurrentFormat)
	}
	// The stamp is on disk: a second open reads it rather than stamping again.
	if v, _ := formatOf(t, dir); v != badger.CurrentFormat {
		t.Fatalf("reopened: format %d", v)
	}
}

func TestFormatUnversionedDataMigrates(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, nil)
	if err := s.Users().Create(t.Context(), &store.User{ID: "u1", Host: "h", Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	badgertest.SetFormat(t, dir, 0) // as a build before format versioning left it

	v, pending := formatOf(t, dir)
	if v != 0 || len(pending) != 1 || pending[0].From != 0 || pending[0].To != 1 {
		t.Fatalf("unversioned data: format %d, pending %v; want 0 and the 0 → 1 step", v, pending)
	}
	s = open(t, dir, nil)
	done, err := s.Migrate(t.Context())
	if err != nil || len(done) != 1 {
		t.Fatalf("migrate: %v %v", done, err)
	}
	if again, err := s.Migrate(t.Context()); err != nil || len(again) != 0 {
		t.Fatalf("second migrate: %v %v; want nothing to do", again, err)
	}
	s.Close()
	if v, p := formatOf(t, dir); v != 1 || len(p) != 0 {
		t.Fatalf("after migrate: format %d, pending %v", v, p)
	}
	s = open(t, dir, nil)
	defer s.Close()
	if u, err := s.Users().Get(t.Context(), "h", "u1"); err != nil || u.Username != "alice" {
		t.Fatalf("the data after migration: %v %v", u, err)
	}
}

func TestFormatNewerRefused(t *testing.T) {
	dir := t.TempDir()
	open(t, dir, nil).Close()
	badgertest.SetFormat(t, dir, badger.CurrentFormat+1)
	_, err := badger.Open(t.Context(), badger.Options{Dir: dir, Logger: quiet})
	var fe *store.FormatError
	if !errors.As(err, &fe) || fe.Found != badger.CurrentFormat+1 || fe.Current != badger.CurrentFormat {
		t.Fatalf("open of a newer format: %v", err)
	}
	for _, want := range []string{dir, "format 2", "up to 1", "newer release", "restore a backup"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal %q does not say %q", err, want)
		}
	}
}
