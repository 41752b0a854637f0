// Package policytest is the one conformance suite every policy engine passes (docs/contributing.md rule 6): the same
// scenarios, written once per engine language, must give the same decisions, the same failure kinds and the
// same on_error behaviour through a policy.Chain. An engine's test is one line:
//
//	func TestConformance(t *testing.T) {
//		policytest.Run(t, func(t *testing.T) policy.Engine { return lua.New(lua.Options{}) })
//	}
//
// # Fixture contract
//
// Each scenario is one plugin file in this package's testdata directory named <scenario>.<kind>, where
// <scenario> is a Scenario.Name and <kind> is the engine's Kind() ("lua" → testdata/scope_narrow.lua, "wasm" →
// testdata/scope_narrow.wasm). Scenarios lists them all, with the hook each fixture exports, the config its
// init receives, the inputs it is called with (the suite adds the envelope) and the decision it must give, or
// the failure kind expected from each engine kind. The Lua files are the reference: a fixture in another
// language does what the Lua file of the same name does (read its comment). Sources of compiled fixtures live
// with the guest SDK; only the built file is needed here.
//
// Hostile scenarios run with a 50 ms deadline and a memory cap of 128 pages (8 MiB), so that a wasm allocation
// loop meets its cap first. The suite calls plugins as the chain sees them (Call): an answer that
// policy.DecodeOutput refuses is an invalid_output failure even when the engine passed it through, so an engine
// may leave shape checks to the chain. Decisions are compared after decoding into the hook's Go type.
//
// A missing fixture fails the suite, unless Config.AllowMissing is set, in which case the scenario is skipped
// with a message naming the file to provide: an engine that is still being completed sets it, and removes it
// once every fixture exists.
//
// The suite reports how long each hostile plugin took to fail (t.Logf) but never asserts on wall-clock time.
//
// It imports policy only (and testing): never an engine.
package policytest
