// Package guesttest runs a built WebAssembly policy plugin in Assentry's own engine (policy/wasm) against a
// cases file (the format of policytest.CasesFile), so a plugin is tested as the server runs it: the same checks
// at load, the same limits, the same JSON in and out, the answers decoded into the hooks' Go types. It is
// host-side test tooling: a plugin's test is one line,
//
//	func TestCases(t *testing.T) { guesttest.Run(t, "consent.wasm", "testdata/cases.json") }
package guesttest

import (
	"context"
	"testing"

	"github.com/assentry/assentry/policy/policytest"
	"github.com/assentry/assentry/policy/wasm"
)

// Run loads the plugin at wasmFile (once per distinct config) and runs every case of casesFile as a subtest.
func Run(t *testing.T, wasmFile, casesFile string) {
	t.Helper()
	e, err := wasm.New(wasm.WithLogger(policytest.TestLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	policytest.RunCases(t, e, wasmFile, casesFile)
}
