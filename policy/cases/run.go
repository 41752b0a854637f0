package cases

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/assentry/assentry/policy"
)

// Loader loads the plugin under test with a config, as the server would for a host.
type Loader func(ctx context.Context, config map[string]any) (policy.Plugin, error)

// Runner runs the cases of one plugin, loading it once per distinct config.
type Runner struct {
	Load   Loader
	loaded map[string]loaded
}

type loaded struct {
	p   policy.Plugin
	err error
}

// Envelope members a case's input leaves out get these values: fixed, so that a case gives the same answer on
// every run (a plugin reads the time from now).
const (
	EnvelopeRequestID = "req-1"
	EnvelopeNow       = 1767225600 // 2026-01-01T00:00:00Z
	EnvelopeHost      = "policytest"
)

// Mismatch is a case whose outcome is not the expected one.
type Mismatch struct {
	Case      string
	Got, Want string // canonical JSON decisions, or descriptions of the outcome
}

func (m *Mismatch) Error() string {
	return fmt.Sprintf("case %q: the answer differs from want (- want, + got):\n%s", m.Case, Diff(m.Want, m.Got))
}

// Run runs the i-th case of f: nil when its outcome is the expected one, a *Mismatch when it is not, another
// error when the case itself is wrong (an input that is not an object, a want that is not a decision).
func (r *Runner) Run(ctx context.Context, f *File, i int) error {
	c, name := f.Cases[i], f.CaseName(i)
	p, err := r.plugin(ctx, f.ConfigOf(i))
	if c.WantLoadError != "" {
		if err == nil || !strings.Contains(err.Error(), c.WantLoadError) {
			return &Mismatch{Case: name, Got: "load error: " + errText(err), Want: "a load error containing " +
				fmt.Sprintf("%q", c.WantLoadError)}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("case %q: load: %w", name, err)
	}
	if policy.HookIndex(c.Hook) < 0 {
		return fmt.Errorf("case %q: hook %q: one of %s", name, c.Hook, strings.Join(policy.Hooks, ", "))
	}
	input, err := Envelope(c.Hook, c.Input)
	if err != nil {
		return fmt.Errorf("case %q: %w", name, err)
	}
	out, err := call(ctx, p, c.Hook, input)
	if c.WantFailure != "" {
		if !policy.IsFailure(err, c.WantFailure) {
			got := "no failure: " + string(out)
			if err != nil {
				got = "failure: " + err.Error()
			}
			return &Mismatch{Case: name, Got: got, Want: "a " + c.WantFailure + " failure"}
		}
		return nil
	}
	if err != nil {
		return &Mismatch{Case: name, Got: "failure: " + err.Error(), Want: string(c.Want)}
	}
	want, err := Canonical(c.Hook, c.Want)
	if err != nil {
		return fmt.Errorf("case %q: want: %w", name, err)
	}
	got, err := Canonical(c.Hook, out)
	if err != nil {
		return err // call has checked the answer
	}
	if got != want {
		return &Mismatch{Case: name, Got: got, Want: want}
	}
	return nil
}

// Close closes every plugin the runner loaded.
func (r *Runner) Close(ctx context.Context) error {
	var errs []error
	for _, l := range r.loaded {
		if l.p != nil {
			errs = append(errs, l.p.Close(ctx))
		}
	}
	r.loaded = nil
	return errors.Join(errs...)
}

func (r *Runner) plugin(ctx context.Context, cfg map[string]any) (policy.Plugin, error) {
	key, _ := json.Marshal(cfg)
	if l, ok := r.loaded[string(key)]; ok {
		return l.p, l.err
	}
	p, err := r.Load(ctx, cfg)
	if r.loaded == nil {
		r.loaded = map[string]loaded{}
	}
	r.loaded[string(key)] = loaded{p, err}
	return p, err
}

// call calls a hook as the chain does: an answer that policy.DecodeOutput refuses is an invalid_output failure.
func call(ctx context.Context, p policy.Plugin, hook string, input []byte) ([]byte, error) {
	out, err := p.Call(ctx, hook, input)
	if err != nil {
		return nil, err
	}
	if _, _, err := policy.DecodeOutput(hook, out); err != nil {
		return nil, &policy.Failure{Hook: hook, Kind: policy.FailOutput, Err: fmt.Errorf("%w; the answer was %s", err, out)}
	}
	return out, nil
}

// Envelope returns a hook input: the members of input (a JSON object; empty means {}) plus the envelope members
// it leaves out, with the fixed values above.
func Envelope(hook string, input []byte) ([]byte, error) {
	m := map[string]any{}
	if len(bytes.TrimSpace(input)) > 0 {
		if err := json.Unmarshal(input, &m); err != nil || m == nil {
			if err == nil {
				err = errors.New("want a JSON object")
			}
			return nil, fmt.Errorf("input: %w", err)
		}
	}
	for k, v := range map[string]any{"abi": policy.ABIVersion, "hook": hook, "request_id": EnvelopeRequestID,
		"now": EnvelopeNow, "host": EnvelopeHost} {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// Canonical decodes a decision into the hook's Go type (or a declared error) and encodes it again, indented, so
// that decisions compare by meaning ({"denied": []} equals no denied at all).
func Canonical(hook string, data []byte) (string, error) {
	dec, pe, err := policy.DecodeOutput(hook, data)
	if err != nil {
		return "", fmt.Errorf("decision %s: %w", data, err)
	}
	var v any = dec
	if pe != nil {
		v = map[string]any{"error": pe}
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func errText(err error) string {
	if err == nil {
		return "none (the plugin loaded)"
	}
	return err.Error()
}
