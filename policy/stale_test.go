package policy_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/assentry/assentry/internal/testlog"
)

// TestManagerStale: a plugin is stale from a failed reload until a reload of it succeeds or its file is back to
// the version that runs.
func TestManagerStale(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.lua")
	writeAtomically(t, path, versioned(1))
	var log testlog.Buffer
	m, _ := newManager(t, path, &log)
	ctx := context.Background()
	stale := func(want ...string) {
		t.Helper()
		if got := m.Stale(); !slices.Equal(got, want) {
			t.Fatalf("Stale() = %q, want %q", got, want)
		}
	}
	stale()
	if got := m.Plugins(); !slices.Equal(got, []string{"p"}) {
		t.Fatalf("Plugins() = %q", got)
	}
	writeAtomically(t, path, broken)
	if err := m.Reload(ctx); err == nil {
		t.Fatal("reload of a broken file: want an error")
	}
	stale("p")
	// Reloading again does not fix it.
	_ = m.Reload(ctx)
	stale("p")
	// The file back to the running version: not stale, nothing loaded.
	writeAtomically(t, path, versioned(1))
	if err := m.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	stale()
	// Broken, then vanished, then a new good version.
	writeAtomically(t, path, broken)
	_ = m.Reload(ctx)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	_ = m.Reload(ctx)
	stale("p")
	writeAtomically(t, path, versioned(2))
	if err := m.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	stale()
}
