package policytest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/cases"
)

// CasesFile is a plugin's cases file (plugins/<name>/testdata/cases.json), the format plugins/sdk/go/guesttest
// and `assentry policy test --cases` read too; see package cases.
type CasesFile = cases.File

// PluginCase is one case of a CasesFile.
type PluginCase = cases.Case

// RunCases loads the plugin file with engine (once per distinct config) and runs every case of casesFile as a
// subtest: how a first-party plugin proves its behaviour with any engine.
func RunCases(t *testing.T, engine policy.Engine, pluginFile, casesFile string) {
	t.Helper()
	code, err := os.ReadFile(pluginFile)
	if err != nil {
		t.Fatal(err)
	}
	f, err := cases.Read(casesFile)
	if err != nil {
		t.Fatal(err)
	}
	r := &cases.Runner{Load: func(ctx context.Context, cfg map[string]any) (policy.Plugin, error) {
		return engine.Load(ctx, policy.Source{Name: filepath.Base(pluginFile), Path: pluginFile, Code: code,
			Config: cfg, Host: "test-host", Limits: policy.Limits{Pool: 1}})
	}}
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	for i := range f.Cases {
		t.Run(f.CaseName(i), func(t *testing.T) {
			err := r.Run(context.Background(), f, i)
			var m *cases.Mismatch
			switch {
			case errors.As(err, &m):
				t.Errorf("%v", m)
			case err != nil:
				t.Fatal(err)
			}
		})
	}
}
