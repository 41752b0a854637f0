package lua

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/assentry/assentry/policy"
)

// load loads Lua source as a plugin with a pool of one.
func load(t *testing.T, code string, opts Options, limits policy.Limits, config map[string]any) (*plugin, error) {
	t.Helper()
	if limits.Pool == 0 {
		limits.Pool = 1
	}
	p, err := New(opts).Load(context.Background(), policy.Source{Name: "test", Path: "/plugins/test.lua",
		Code: []byte(code), Config: config, Host: "h1", Limits: limits})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p.(*plugin), nil
}

func mustLoad(t *testing.T, code string) *plugin {
	t.Helper()
	p, err := load(t, code, Options{}, policy.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// claimsOf wraps a function body as a claims hook returning {claims = <the body's result>}.
func claimsOf(body string) string {
	return "return {abi = 1, claims = function(req) return {claims = (function() " + body + " end)()} end}"
}

const claimsInput = `{"abi":1,"hook":"claims","request_id":"r-1","now":1,"host":"h1","user":{"sub":"u1","username":"alice","roles":["user"],"groups":["g1"]},"client":{"client_id":"c1"},"scopes":["openid"],"target":"id_token"}`

// logBuffer is a slog.Logger recording into a buffer.
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

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
