package policytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/assentry/assentry/policy"
)

// Config configures a run of the suite.
type Config struct {
	// NewEngine returns a fresh engine; the suite closes it.
	NewEngine func(t *testing.T) policy.Engine
	// AllowMissing skips (with a message) the scenarios whose fixture file does not exist yet, instead of
	// failing. For an engine whose fixtures are still being written.
	AllowMissing bool
	// Dir holds the fixtures; default: this package's testdata directory.
	Dir string
}

// Run runs the whole suite against an engine, with every fixture required.
func Run(t *testing.T, newEngine func(t *testing.T) policy.Engine) {
	RunConfig(t, Config{NewEngine: newEngine})
}

// RunConfig runs the whole suite.
func RunConfig(t *testing.T, cfg Config) {
	if cfg.Dir == "" {
		cfg.Dir = defaultDir(t)
	}
	e := cfg.NewEngine(t)
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	h := &harness{cfg: cfg, engine: e, kind: e.Kind()}
	t.Run("scenarios", func(t *testing.T) {
		for _, s := range Scenarios {
			t.Run(s.Name, func(t *testing.T) { h.scenario(t, s) })
		}
	})
	t.Run("on_error", h.onError)
	t.Run("keeps_serving", h.keepsServing)
	t.Run("concurrent_calls", h.concurrent)
}

// FixturePath is where the fixture of a scenario for an engine kind lives in dir.
func FixturePath(dir, scenario, kind string) string {
	return filepath.Join(dir, scenario+"."+kind)
}

func defaultDir(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("policytest: cannot locate the fixtures; set Config.Dir")
	}
	return filepath.Join(filepath.Dir(file), "testdata")
}

type harness struct {
	cfg    Config
	engine policy.Engine
	kind   string
}

// load loads a scenario's fixture; a missing file fails or skips the test (Config.AllowMissing).
func (h *harness) load(t *testing.T, s Scenario, limits policy.Limits) (policy.Plugin, error) {
	t.Helper()
	path := FixturePath(h.cfg.Dir, s.Name, h.kind)
	code, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		msg := fmt.Sprintf("fixture %s is missing: the %s engine must provide scenario %q (see policytest/doc.go)",
			path, h.kind, s.Name)
		if h.cfg.AllowMissing {
			t.Skip(msg)
		}
		t.Fatal(msg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return h.engine.Load(context.Background(), policy.Source{Name: s.Name, Path: path, Code: code, Config: s.Config,
		Host: "policytest", Limits: limits, Isolate: s.Isolate})
}

func (h *harness) mustLoad(t *testing.T, name string, limits policy.Limits) policy.Plugin {
	t.Helper()
	s, ok := ScenarioNamed(name)
	if !ok {
		t.Fatalf("no scenario %q", name)
	}
	p, err := h.load(t, s, limits)
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p
}

// scenario runs one scenario's calls on a plugin with a pool of one.
func (h *harness) scenario(t *testing.T, s Scenario) {
	limits := policy.Limits{Pool: 1}
	if s.Failure != nil {
		limits = hostileLimits
		// A plugin expected to fail on another limit (memory, the call stack) gets a generous deadline: on a
		// loaded machine the short one could otherwise fire first, and the test would measure the machine.
		if want := s.failureKinds(h.kind); !slices.Contains(want, policy.FailDeadline) {
			limits.Timeout = goodLimits.Timeout
		}
	}
	start := time.Now()
	p, err := h.load(t, s, limits)
	if s.LoadError {
		if err == nil {
			_ = p.Close(context.Background())
			t.Fatal("the plugin loaded; want it refused")
		}
		t.Logf("refused as expected after %v: %v", time.Since(start), err)
		return
	}
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	defer p.Close(context.Background())
	if !slices.Contains(p.Hooks(), s.Hook) {
		t.Fatalf("Hooks() = %v, want it to contain %s", p.Hooks(), s.Hook)
	}
	for _, c := range s.Cases {
		start := time.Now()
		out, err := Call(context.Background(), p, s.Hook, Envelope(t, s.Hook, c.Input))
		took := time.Since(start)
		if s.Failure != nil {
			want := s.failureKinds(h.kind)
			var f *policy.Failure
			if !errors.As(err, &f) || !slices.Contains(want, f.Kind) {
				t.Fatalf("%s: got (%s, %v), want a failure of kind %v", c.Name, out, err, want)
			}
			t.Logf("%s: failed with %s after %v: %v", c.Name, f.Kind, took, err)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if got, want := canonical(t, s.Hook, out), canonical(t, s.Hook, []byte(c.Want)); got != want {
			t.Errorf("%s:\n got %s\nwant %s", c.Name, got, want)
		}
	}
}

// Call calls a plugin as the chain would see it: an answer that policy.DecodeOutput refuses (a wrong shape the
// engine left to the chain, e.g. an unknown decision) is an invalid_output failure.
func Call(ctx context.Context, p policy.Plugin, hook string, input []byte) ([]byte, error) {
	out, err := p.Call(ctx, hook, input)
	if err != nil {
		return nil, err
	}
	if _, _, err := policy.DecodeOutput(hook, out); err != nil {
		return nil, &policy.Failure{Hook: hook, Kind: policy.FailOutput, Err: err}
	}
	return out, nil
}

// Envelope returns a hook input: the fields of input plus the envelope members it leaves out.
func Envelope(t testing.TB, hook, input string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(input), &m); err != nil {
		t.Fatalf("bad test input %s: %v", input, err)
	}
	for k, v := range map[string]any{"abi": policy.ABIVersion, "hook": hook, "request_id": "req-1", "now": 1767225600,
		"host": "policytest"} {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// canonical decodes a decision into the hook's Go type (or a declared error) and encodes it again, so that
// decisions compare by meaning ({"denied": []} equals no denied at all).
func canonical(t testing.TB, hook string, data []byte) string {
	t.Helper()
	dec, pe, err := policy.DecodeOutput(hook, data)
	if err != nil {
		t.Fatalf("decision %s: %v", data, err)
	}
	var v any = dec
	if pe != nil {
		v = map[string]any{"error": pe}
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_ = json.Indent(&buf, b, "", " ")
	return buf.String()
}
