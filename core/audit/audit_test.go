package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/core/audit"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/events"
)

// readLines decodes every line of an audit file.
func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, l := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("line %q is not one JSON object: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestSinkLineFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	fs := audit.NewFiles(nil)
	defer fs.Close()
	sink, err := fs.Sink(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 3, 13, 0, 0, 0, time.FixedZone("CET", 3600))
	em := &events.Emitter{Sink: sink, Host: "h1", Now: func() time.Time { return at }}
	ctx := events.WithRequestID(context.Background(), "req-1")
	em.Emit(ctx, events.Event{Kind: events.LoginFailed, Username: "alice", IP: "192.0.2.1", Reason: "bad_password"})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	want := `{"time":"2026-12-03T12:00:00Z","event":"login.failed","host":"h1","request_id":"req-1","ip":"192.0.2.1",` +
		`"username":"alice","reason":"bad_password"}` + "\n"
	if string(b) != want {
		t.Errorf("line = %s\nwant   %s", b, want)
	}
}

func TestSinkAllowList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	fs := audit.NewFiles(nil)
	defer fs.Close()
	sink, err := fs.Sink(path, []string{"token.issued"})
	if err != nil {
		t.Fatal(err)
	}
	em := &events.Emitter{Sink: sink}
	em.Emit(context.Background(), events.Event{Kind: events.LoginFailed})
	em.Emit(context.Background(), events.Event{Kind: events.TokenIssued})
	lines := readLines(t, path)
	if len(lines) != 1 || lines[0]["event"] != "token.issued" {
		t.Errorf("lines = %v, want the token.issued line only", lines)
	}
}

// Two hosts naming one file share its writer: concurrent lines are never interleaved.
func TestSharedFileKeepsLinesWhole(t *testing.T) {
	dir := t.TempDir()
	fs := audit.NewFiles(nil)
	defer fs.Close()
	a, err := fs.Sink(filepath.Join(dir, "audit.log"), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.Sink(filepath.Join(dir, ".", "audit.log"), nil)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 8<<10)
	var wg sync.WaitGroup
	for i, s := range []events.Sink{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			em := &events.Emitter{Sink: s, Host: string(rune('a' + i))}
			for range 50 {
				em.Emit(context.Background(), events.Event{Kind: events.AdminAction, Op: long})
			}
		}()
	}
	wg.Wait()
	if n := len(readLines(t, filepath.Join(dir, "audit.log"))); n != 200 {
		t.Errorf("%d whole lines, want 200", n)
	}
}

// Reopen after a rename (what logrotate does) starts a new file; the rotated one keeps its lines.
func TestReopenAfterRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	fs := audit.NewFiles(nil)
	defer fs.Close()
	sink, err := fs.Sink(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	em := &events.Emitter{Sink: sink}
	em.Emit(context.Background(), events.Event{Kind: events.KeyRotated, KeyID: "old"})
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	em.Emit(context.Background(), events.Event{Kind: events.KeyRotated, KeyID: "before-reopen"})
	if err := fs.Reopen(); err != nil {
		t.Fatal(err)
	}
	em.Emit(context.Background(), events.Event{Kind: events.KeyRotated, KeyID: "new"})
	kids := func(p string) []any {
		var out []any
		for _, l := range readLines(t, p) {
			out = append(out, l["kid"])
		}
		return out
	}
	if got := kids(path + ".1"); !slices.Equal(got, []any{"old", "before-reopen"}) {
		t.Errorf("rotated file has %v", got)
	}
	if got := kids(path); !slices.Equal(got, []any{"new"}) {
		t.Errorf("new file has %v", got)
	}
}

// A write that fails is logged once per run of failures, and the line is dropped, not retried for ever.
func TestWriteFailureLoggedOnce(t *testing.T) {
	var logs bytes.Buffer
	fs := audit.NewFiles(slog.New(slog.NewTextHandler(&logs, nil)))
	sink, err := fs.Sink(filepath.Join(t.TempDir(), "audit.log"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Close(); err != nil {
		t.Fatal(err)
	}
	em := &events.Emitter{Sink: sink}
	for range 3 {
		em.Emit(context.Background(), events.Event{Kind: events.TokenIssued})
	}
	if n := strings.Count(logs.String(), "write failed"); n != 1 {
		t.Errorf("%d failure lines, want 1:\n%s", n, logs.String())
	}
	// Once writing works again (here: reopened), the first line written reports how many were lost.
	if err := fs.Reopen(); err != nil {
		t.Fatal(err)
	}
	em.Emit(context.Background(), events.Event{Kind: events.TokenIssued})
	if !strings.Contains(logs.String(), "writing again") || !strings.Contains(logs.String(), "lines_lost=3") {
		t.Errorf("no recovery line counting 3 lost lines:\n%s", logs.String())
	}
}

// The config package keeps its own copy of the kinds (it imports nothing of the module); it must match.
func TestConfigKnowsEveryKind(t *testing.T) {
	var kinds []string
	for _, k := range events.Kinds() {
		kinds = append(kinds, string(k))
	}
	if !slices.Equal(kinds, config.AuditEventKinds) {
		t.Errorf("config.AuditEventKinds = %v\nevents.Kinds() = %v", config.AuditEventKinds, kinds)
	}
}
