package wasm

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/assentry/assentry/policy"
)

// logBuffer collects an engine's log for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newEngine returns an engine logging at debug level into the returned buffer, closed with the test.
func newEngine(t testing.TB, opts ...Option) (*Engine, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e, err := New(append([]Option{WithLogger(logger)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	return e, logs
}

// fixture reads testdata/<name>.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// load loads testdata/<name> with limits l.
func load(t testing.TB, e *Engine, name string, l policy.Limits, config map[string]any) (*plugin, error) {
	t.Helper()
	p, err := e.Load(context.Background(), policy.Source{
		Name: filepath.Base(name), Path: name, Code: fixture(t, name), Config: config, Host: "h1", Limits: l,
	})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p.(*plugin), nil
}

// mustLoad is load that fails the test on an error.
func mustLoad(t testing.TB, e *Engine, name string, l policy.Limits, config map[string]any) *plugin {
	t.Helper()
	p, err := load(t, e, name, l, config)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newTextLogger(w *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
