package policy_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testlog"
	"github.com/assentry/assentry/policy"
)

// pollUntil waits for cond, failing the test after a generous deadline (it never decides on elapsed time).
func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// writeLogLines appends n lines to a log file beside the plugin, then waits until the watcher has seen (and
// ignored) each write: afterwards, whatever it did about them is visible in its stats.
func writeLogLines(t *testing.T, m *policy.Manager, path string, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before, _, _ := m.WatchStats()
	for i := range n {
		if _, err := f.WriteString("a log line\n"); err != nil {
			t.Fatal(err)
		}
		pollUntil(t, "the watcher to see the log write", func() bool {
			ignored, _, _ := m.WatchStats()
			return ignored > before+int64(i)
		})
	}
}

// TestWatchOnlyPluginFiles: the watcher reacts to the plugin file alone. A log file written over and over in the
// plugin's directory schedules no reload; an editor-style replacement (a temporary file renamed over the
// plugin) schedules exactly one; and a broken plugin is logged once per change of its file, not once per event
// in the directory.
func TestWatchOnlyPluginFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.lua")
	logFile := filepath.Join(dir, "assentry.log")
	writeAtomically(t, path, versioned(1))
	var log testlog.Buffer
	m, eng := newManager(t, path, &log)
	if err := m.Watch(context.Background()); err != nil {
		t.Fatal(err)
	}
	stats := func(wantScheduled, wantReloads int64) {
		t.Helper()
		if _, s, r := m.WatchStats(); s != wantScheduled || r != wantReloads {
			t.Fatalf("watcher: %d reloads scheduled, %d run; want %d and %d", s, r, wantScheduled, wantReloads)
		}
	}
	failures := func() int { return strings.Count(log.String(), `"msg":"policy reload failed`) }

	writeLogLines(t, m, logFile, 20)
	stats(0, 0)

	// An editor's save: the new version written to a temporary file, renamed over the plugin.
	writeAtomically(t, path, versioned(2))
	pollUntil(t, "the reload", func() bool { _, _, r := m.WatchStats(); return r == 1 })
	if got, _ := grantedOf(t, m.Chain()); got != "v2" {
		t.Fatalf("after the rename: %q, want v2", got)
	}
	writeLogLines(t, m, logFile, 5)
	stats(1, 1)
	if n := eng.loaded.Load(); n != 2 {
		t.Fatalf("%d versions loaded, want 2", n)
	}

	// Broken: one failure logged, and no more while only the log file is written.
	writeAtomically(t, path, broken)
	pollUntil(t, "the failed reload", func() bool { _, _, r := m.WatchStats(); return r == 2 })
	writeLogLines(t, m, logFile, 20)
	stats(2, 2)
	if n := failures(); n != 1 {
		t.Fatalf("%d reload failures logged for one broken version, want 1:\n%s", n, log.String())
	}
	// The same broken content saved again is no change: not logged again.
	writeAtomically(t, path, broken)
	pollUntil(t, "the reload", func() bool { _, _, r := m.WatchStats(); return r == 3 })
	if n := failures(); n != 1 {
		t.Fatalf("%d reload failures logged for one broken version saved twice, want 1", n)
	}
	// Another broken version is a change: logged once more.
	writeAtomically(t, path, broken+" -- still broken")
	pollUntil(t, "the reload", func() bool { _, _, r := m.WatchStats(); return r == 4 })
	if n := failures(); n != 2 {
		t.Fatalf("%d reload failures logged for two broken versions, want 2", n)
	}
	if got := m.Stale(); len(got) != 1 {
		t.Fatalf("Stale() = %q, want p", got)
	}
	// An explicit reload (SIGHUP) is an attempt of its own: it logs the failure again.
	_ = m.Reload(context.Background())
	if n := failures(); n != 3 {
		t.Fatalf("%d reload failures logged after an explicit reload, want 3", n)
	}
	if got, _ := grantedOf(t, m.Chain()); got != "v2" {
		t.Fatalf("while broken: %q, want v2", got)
	}
}

// TestWatchSymlinkedPlugin: a plugin file that is a symbolic link through a directory link, as a Kubernetes
// ConfigMap mounts it, is reloaded when the directory link is swapped (an event on another name than the
// plugin's), and an unchanged file is not reloaded.
func TestWatchSymlinkedPlugin(t *testing.T) {
	dir := t.TempDir()
	for i, v := range []string{"..v1", "..v2"} {
		if err := os.Mkdir(filepath.Join(dir, v), 0o700); err != nil {
			t.Fatal(err)
		}
		writeAtomically(t, filepath.Join(dir, v, "p.lua"), versioned(i+1))
	}
	if err := os.Symlink("..v1", filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "p.lua")
	if err := os.Symlink(filepath.Join("..data", "p.lua"), path); err != nil {
		t.Fatal(err)
	}
	var log testlog.Buffer
	m, eng := newManager(t, path, &log)
	if err := m.Watch(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..v2", filepath.Join(dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, "v2 served", func() bool { got, _ := grantedOf(t, m.Chain()); return got == "v2" })
	// Events in the directory that change nothing of the file: reloads run, nothing is loaded or logged.
	_, _, before := m.WatchStats()
	if err := os.WriteFile(filepath.Join(dir, "other.log"), []byte("a log line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, "the reload", func() bool { _, _, r := m.WatchStats(); return r > before })
	if n := eng.loaded.Load(); n != 2 {
		t.Fatalf("%d versions loaded, want 2", n)
	}
}

// TestWatchDebounce: a burst of ten saves of the plugin, 20 ms apart on the watcher's clock, under a 100 ms
// debounce (shorter than the burst, so a timer that was not pushed back by each save would fire within it), is one
// reload, of the last version, once the clock has been quiet for the debounce; not before. The clock is the test's
// (FakeClock): the timer fires only inside Advance, so the counts do not depend on the machine's speed.
func TestWatchDebounce(t *testing.T) {
	const debounce, gap = 100 * time.Millisecond, 20 * time.Millisecond
	dir := t.TempDir()
	path := filepath.Join(dir, "p.lua")
	writeAtomically(t, path, versioned(1))
	var log testlog.Buffer
	m, eng := newManagerDebounce(t, path, &log, debounce)
	clock := m.UseFakeClock()
	if err := m.Watch(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 11; i++ {
		_, before, _ := m.WatchStats()
		writeAtomically(t, path, versioned(i))
		pollUntil(t, "the watcher to see the save", func() bool { _, s, _ := m.WatchStats(); return s > before })
		clock.Advance(gap)
	}
	// The last save was gap ago: the reload is due debounce after it, and not a moment earlier.
	clock.Advance(debounce - gap - time.Millisecond)
	if n := clock.Fired(); n != 0 {
		t.Fatalf("the debounce fired %d times during a burst of saves %v apart", n, gap)
	}
	clock.Advance(time.Millisecond)
	pollUntil(t, "the reload", func() bool { _, _, r := m.WatchStats(); return r == 1 })
	if got, _ := grantedOf(t, m.Chain()); got != "v11" {
		t.Fatalf("after the burst: %q, want v11", got)
	}
	clock.Advance(time.Hour)
	if n := clock.Fired(); n != 1 {
		t.Fatalf("the debounce fired %d times for one burst, want 1", n)
	}
	if n := eng.loaded.Load(); n != 2 {
		t.Fatalf("%d versions loaded (the first and one reload), want 2", n)
	}
	if n := clock.Resets(); n < 10 {
		t.Fatalf("the debounce was armed %d times for 10 saves", n)
	}
}
