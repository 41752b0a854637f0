// Package cases runs a plugin's cases file (plugins/<name>/testdata/cases.json: inputs with the expected decision,
// declared error, failure kind or load error) against a loaded plugin, for the Go tests of a plugin
// (policytest.RunCases, plugins/sdk/go/guesttest) and for `assentry policy test --cases`, so that both judge a
// case the same way. A mismatch is an error carrying a line diff of the decisions.
//
// It imports policy only: never an engine, never testing.
package cases
