package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fake is a Plugin answering from Go: a fixed JSON answer or an error per hook, recording its inputs.
type fake struct {
	answers map[string]string // hook → JSON answer
	errs    map[string]error
	mu      sync.Mutex
	inputs  []map[string]any
	closed  atomic.Bool
}

func (f *fake) Hooks() []string {
	var hs []string
	for _, h := range Hooks {
		if _, ok := f.answers[h]; ok {
			hs = append(hs, h)
		} else if _, ok := f.errs[h]; ok {
			hs = append(hs, h)
		}
	}
	return hs
}

func (f *fake) Call(_ context.Context, hook string, input []byte) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(input, &m); err != nil {
		panic(err)
	}
	f.mu.Lock()
	f.inputs = append(f.inputs, m)
	f.mu.Unlock()
	if err := f.errs[hook]; err != nil {
		return nil, err
	}
	return []byte(f.answers[hook]), nil
}

func (f *fake) Close(context.Context) error { f.closed.Store(true); return nil }

func (f *fake) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.inputs)
}

func (f *fake) input(i int) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inputs[i]
}

func answer(hook, json string) *fake { return &fake{answers: map[string]string{hook: json}} }

func failing(hook, kind string) *fake {
	return &fake{errs: map[string]error{hook: &Failure{Hook: hook, Kind: kind, Err: context.DeadlineExceeded}}}
}

// logs records a chain's log lines.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.Write(p) }

func (l *logs) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }

func testOptions(l *logs) Options {
	return Options{Host: "h1", Roles: []string{"user", "editor", "admin"}, Log: slog.New(slog.NewJSONHandler(l, nil)),
		Now: func() time.Time { return time.Unix(1767225600, 0) }}
}

// chainOf builds a chain of fakes, named p1, p2, ... with the given on_error for every hook.
func chainOf(t *testing.T, opts Options, onError string, plugins ...*fake) *Chain {
	t.Helper()
	var bs []Bound
	for i, p := range plugins {
		oe := map[string]string{}
		if onError != "" {
			for _, h := range Hooks {
				oe[h] = onError
			}
		}
		bs = append(bs, Bound{Name: "p" + string(rune('1'+i)), Plugin: p, OnError: oe})
	}
	c, err := NewChain(opts, bs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}
