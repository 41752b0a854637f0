// Package registrationallowlist holds the tests of the registration-allowlist Lua plugin.
package registrationallowlist

import (
	"testing"

	"github.com/assentry/assentry/policy/lua"
	"github.com/assentry/assentry/policy/policytest"
)

func TestCases(t *testing.T) {
	policytest.RunCases(t, lua.New(lua.Options{}), "registration-allowlist.lua", "testdata/cases.json")
}
