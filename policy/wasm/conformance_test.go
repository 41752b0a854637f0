package wasm_test

import (
	"testing"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/policytest"
	"github.com/assentry/assentry/policy/wasm"
)

// TestConformance runs the shared suite on the wasm fixtures of policy/policytest/testdata (built from
// plugins/sdk/{wat,assemblyscript}/policytest by plugins/build.sh).
func TestConformance(t *testing.T) {
	policytest.Run(t, func(t *testing.T) policy.Engine {
		e, err := wasm.New(wasm.WithLogger(policytest.TestLogger(t)))
		if err != nil {
			t.Fatal(err)
		}
		return e
	})
}
