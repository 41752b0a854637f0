package main

import (
	"testing"

	"github.com/assentry/assentry/plugins/sdk/go/guesttest"
)

// TestCases runs the built plugin (extra-claims.wasm, rebuilt by plugins/build.sh) in the real engine.
func TestCases(t *testing.T) {
	guesttest.Run(t, "extra-claims.wasm", "testdata/cases.json")
}
