package wasm

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
)

// guestLog is the log of one instance: assentry.log, env.abort, stdout and stderr, with a byte budget per
// call (reset by the host before each guest call) so that a chatty or hostile guest cannot flood the log.
// An instance serves one goroutine at a time, so it needs no lock.
type guestLog struct {
	logger *slog.Logger
	limit  int
	used   int
	capped bool
	// hook and input are those of the hook call in progress ("" and nil outside one): a line names the hook and
	// the request_id of the input, which is read from it only when the guest logs.
	hook      string
	input     []byte
	requestID *string
}

// reset starts the budget of a new call.
func (g *guestLog) reset() { g.used, g.capped = 0, false }

// during records the hook call whose lines follow; end forgets it (the input is the caller's).
func (g *guestLog) during(hook string, input []byte) { g.hook, g.input, g.requestID = hook, input, nil }
func (g *guestLog) end()                             { g.during("", nil) }

// request returns the request_id of the call's input, "" when it has none.
func (g *guestLog) request() string {
	if g.requestID == nil {
		var in struct {
			RequestID string `json:"request_id"`
		}
		_ = json.Unmarshal(g.input, &in) // an input that is not an object has no request_id
		g.requestID = &in.RequestID
	}
	return *g.requestID
}

// emit logs one message from source ("log", "abort", "stdout", "stderr") within the budget.
func (g *guestLog) emit(ctx context.Context, level slog.Level, source string, msg []byte, truncated bool) {
	if g.capped {
		return
	}
	if g.used+len(msg) > g.limit {
		msg = msg[:max(0, g.limit-g.used)]
		g.capped = true
	}
	g.used += len(msg)
	text := strings.ToValidUTF8(string(msg), "\uFFFD")
	// The shape of a plugin's line, the same in both engines (policy/lua/sandbox.go): the plugin's text as the
	// message, then plugin, host, engine (the logger's), source, hook and request_id.
	attrs := []any{"source", source}
	if g.hook != "" {
		attrs = append(attrs, "hook", g.hook)
		if id := g.request(); id != "" {
			attrs = append(attrs, "request_id", id)
		}
	}
	if truncated {
		attrs = append(attrs, "truncated", true)
	}
	if len(msg) > 0 || !g.capped {
		g.logger.Log(ctx, level, text, attrs...)
	}
	if g.capped {
		g.logger.Warn("guest log output capped for this call", "limit_bytes", g.limit)
	}
}

// stream is a guest's stdout or stderr: each write is logged, one record per line.
type stream struct {
	g     *guestLog
	name  string
	level slog.Level
}

func (s *stream) Write(p []byte) (int, error) {
	for line := range bytes.Lines(p) {
		line = bytes.TrimRight(line, "\r\n")
		if len(line) > 0 {
			s.g.emit(context.Background(), s.level, s.name, line, false)
		}
	}
	return len(p), nil
}
