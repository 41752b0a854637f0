package firstpartyconsent

import (
	"testing"

	"github.com/assentry/assentry/plugins/sdk/go/guesttest"
)

// TestCases runs the built plugin (first-party-consent.wasm, rebuilt by plugins/build.sh) in the real engine.
func TestCases(t *testing.T) {
	guesttest.Run(t, "first-party-consent.wasm", "testdata/cases.json")
}
