;; trap.wat: the wasm fixture of policytest scenario "trap" (policy/policytest/testdata/trap.lua is the
;; reference). Hostile: a trap (unreachable), the wasm nearest thing to Lua's runtime error.
;; Built to policy/policytest/testdata/trap.wasm by plugins/build.sh.
(module
  (memory (export "memory") 1)
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param i32) (result i32) (i32.const 4096)) ;; one fixed buffer (inputs up to 60 KiB)
  (func (export "assentry_free") (param i32))
  (func (export "assentry_scope_policy") (param i32 i32) (result i64) unreachable)
)
