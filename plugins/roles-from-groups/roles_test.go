// Package rolesfromgroups holds the tests of the roles-from-groups Lua plugin.
package rolesfromgroups

import (
	"testing"

	"github.com/assentry/assentry/policy/lua"
	"github.com/assentry/assentry/policy/policytest"
)

func TestCases(t *testing.T) {
	policytest.RunCases(t, lua.New(lua.Options{}), "roles-from-groups.lua", "testdata/cases.json")
}
