// Package policy defines the policy plugin contract of Assentry (docs/policy-abi.md, version 1): the hook names, the
// JSON input and decision of each hook as plain Go structs, the Engine and Plugin interfaces that the Lua and
// WebAssembly engines implement, and the chain that runs the built-in policy and the configured plugins in
// order with the combination rules and on_error handling of docs/policy-abi.md ("Several plugins on one hook").
//
// The core calls a host's *Chain (the Policy interface), one method per hook. A Chain is built by NewChain
// from loaded plugins, or by a Manager from the host's bindings; the Manager reloads a plugin when its file
// changes (Watch) or on demand (Reload, wired to SIGHUP), swapping an immutable snapshot atomically so that a
// call always runs wholly on one version. Engines are chosen by kind and file extension through a Registry.
//
// It must not import anything from core, and no engine: policy/lua and policy/wasm import it, not the reverse.
package policy
