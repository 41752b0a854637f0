// Package policy defines the policy plugin contract of Assentry (POLICY-ABI.md, version 1): the hook names, the
// JSON input and decision of each hook as plain Go structs, the Engine and Plugin interfaces that the Lua and
// WebAssembly engines implement, and the chain that runs the built-in policy and the configured plugins in
// order with the combination rules and on_error handling of the ABI.
//
// It must not import anything from core, and no engine: policy/lua and policy/wasm import it, not the reverse.
package policy
