// Package wasm is the WebAssembly policy engine of Assentry: it runs policy plugins compiled to WebAssembly in
// wazero, following the "WebAssembly binding" of docs/policy-abi.md (one JSON document in, one JSON decision out).
//
// A plugin is checked at load (ABI version, exports and their signatures, an import allow-list that names any
// offending import, no `_start`), instrumented (instrument.go), compiled once through a compilation cache
// (a file cache under the server's cache directory), initialised with its host's config and pre-warmed:
// instances are pooled per (host, plugin version), serve one goroutine at a time, reuse one input buffer
// allocated through the guest's assentry_alloc, and make exactly one guest call per hook, whose answer is
// copied at once.
//
// Limits: each call has a deadline (the instance's timer, or the caller's context, sets a global that the
// instrumented code checks at loop headers and function entries; this replaces wazero's
// WithCloseOnContextDone, 20 to 30 times slower on a JSON-scanning guest, see instrument.go); the call depth is
// capped; linear memory is capped by a memory allocator that also tells the host when the cap refused a grow.
// An instance that trapped, timed out, ran out of memory or answered garbage is discarded and replaced in the
// background, never reused.
//
// Guests see no filesystem, no environment, no arguments, wazero's deterministic clock and random source (a
// sleep returns at once); their stdout, stderr, assentry.log and env.abort messages go to the host's log,
// capped per call. An instance keeps its memory from one call to the next (that is what lets init compute
// things once); instances are never shared between hosts.
//
// It imports policy and wazero; it must not import core, cmd, or another engine.
package wasm
