package wat

import (
	"testing"

	"github.com/assentry/assentry/plugins/sdk/go/guesttest"
)

// TestCases runs scope-policy.wasm (rebuilt from scope-policy.wat by plugins/build.sh) in the real engine.
func TestCases(t *testing.T) {
	guesttest.Run(t, "scope-policy.wasm", "testdata/cases.json")
}
