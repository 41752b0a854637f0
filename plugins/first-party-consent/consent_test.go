// Package firstpartyconsent holds the tests of the first-party-consent Lua plugin.
package firstpartyconsent

import (
	"os"
	"testing"

	"github.com/assentry/assentry/policy/lua"
	"github.com/assentry/assentry/policy/policytest"
)

func TestCases(t *testing.T) {
	policytest.RunCases(t, lua.New(lua.Options{}), "first-party-consent.lua", "testdata/cases.json")
}

// The Lua plugin decides as its WebAssembly twin does, on the twin's own cases.
func TestSameAsWasmTwin(t *testing.T) {
	const twin = "../first-party-consent-wasm/testdata/cases.json"
	if _, err := os.Stat(twin); err != nil {
		t.Skipf("%s: %v", twin, err)
	}
	policytest.RunCases(t, lua.New(lua.Options{}), "first-party-consent.lua", twin)
}
