package policytest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/assentry/assentry/policy"
)

// CasesFile is a plugin's cases file (plugins/<name>/testdata/cases.json), the format plugins/sdk/go/guesttest
// reads too:
//
//	{
//	  "config": {"allowed_domains": ["example.com"]},  // the plugin's config for every case (optional)
//	  "cases": [
//	    {"name": "allowed", "hook": "validate_registration", "input": {...}, "want": {"decision": "accept"}},
//	    {"name": "bad config", "config": {}, "want_load_error": "allowed_domains"},
//	    {"name": "loops", "hook": "consent", "input": {...}, "want_failure": "deadline"}
//	  ]
//	}
type CasesFile struct {
	Config map[string]any `json:"config"`
	Cases  []PluginCase   `json:"cases"`
}

// PluginCase is one call of a hook, or one load. The input gets the envelope members it leaves out; the answer
// is compared with want after both are decoded into the hook's Go type.
type PluginCase struct {
	Name          string          `json:"name"`
	Config        map[string]any  `json:"config,omitempty"` // replaces the file's config
	Hook          string          `json:"hook"`
	Input         json.RawMessage `json:"input"`
	Want          json.RawMessage `json:"want,omitempty"`            // the decision, or {"error": {...}}
	WantFailure   string          `json:"want_failure,omitempty"`    // a policy.Fail* kind
	WantLoadError string          `json:"want_load_error,omitempty"` // a substring of the load error
}

// RunCases loads the plugin file with engine (once per distinct config) and runs every case of casesFile as a
// subtest: how a first-party plugin proves its behaviour with any engine.
func RunCases(t *testing.T, engine policy.Engine, pluginFile, casesFile string) {
	t.Helper()
	code, err := os.ReadFile(pluginFile)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(casesFile)
	if err != nil {
		t.Fatal(err)
	}
	var f CasesFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("%s: %v", casesFile, err)
	}
	loaded := map[string]policy.Plugin{}
	t.Cleanup(func() {
		for _, p := range loaded {
			_ = p.Close(context.Background())
		}
	})
	load := func(cfg map[string]any) (policy.Plugin, error) {
		key, _ := json.Marshal(cfg)
		if p, ok := loaded[string(key)]; ok {
			return p, nil
		}
		p, err := engine.Load(context.Background(), policy.Source{Name: filepath.Base(pluginFile), Path: pluginFile,
			Code: code, Config: cfg, Host: "test-host", Limits: policy.Limits{Pool: 1}})
		if err == nil {
			loaded[string(key)] = p
		}
		return p, err
	}
	for i, c := range f.Cases {
		name := c.Name
		if name == "" {
			name = "case " + strconv.Itoa(i+1)
		}
		t.Run(name, func(t *testing.T) {
			cfg := f.Config
			if c.Config != nil {
				cfg = c.Config
			}
			p, err := load(cfg)
			if c.WantLoadError != "" {
				if err == nil || !strings.Contains(err.Error(), c.WantLoadError) {
					t.Fatalf("load error %v, want one containing %q", err, c.WantLoadError)
				}
				return
			}
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			input := "{}"
			if len(c.Input) > 0 {
				input = string(c.Input)
			}
			out, err := Call(context.Background(), p, c.Hook, Envelope(t, c.Hook, input))
			if c.WantFailure != "" {
				if !policy.IsFailure(err, c.WantFailure) {
					t.Fatalf("got (%s, %v), want a %s failure", out, err, c.WantFailure)
				}
				return
			}
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if got, want := canonical(t, c.Hook, out), canonical(t, c.Hook, c.Want); got != want {
				t.Errorf("\n got %s\nwant %s", got, want)
			}
		})
	}
}
