package main

import (
	"testing"

	"github.com/assentry/assentry/plugins/sdk/go/guesttest"
	"github.com/assentry/assentry/policy/lua"
	"github.com/assentry/assentry/policy/policytest"
)

// TestCases runs the built plugin (resources.wasm, rebuilt by plugins/build.sh) in the wasm engine, and its Lua
// twin (../resources.lua) in the Lua engine, on the same cases: both see the input's resource and answer the
// same granted_resources.
func TestCases(t *testing.T) {
	t.Run("wasm", func(t *testing.T) { guesttest.Run(t, "resources.wasm", "../testdata/resource-cases.json") })
	t.Run("lua", func(t *testing.T) {
		policytest.RunCases(t, lua.New(lua.Options{}), "../resources.lua", "../testdata/resource-cases.json")
	})
}
