package lua_test

import (
	"testing"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
	"github.com/assentry/assentry/policy/policytest"
)

func TestConformance(t *testing.T) {
	policytest.Run(t, func(t *testing.T) policy.Engine { return lua.New(lua.Options{}) })
}
