package consentassemblyscript

import (
	"testing"

	"github.com/assentry/assentry/plugins/sdk/go/guesttest"
)

// TestCases runs the built example (consent.wasm, rebuilt by plugins/build.sh) on the cases it shares with the
// Go example.
func TestCases(t *testing.T) {
	guesttest.Run(t, "consent.wasm", "../testdata/consent-cases.json")
}
