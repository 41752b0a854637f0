;; infinite_loop.wat: the wasm fixture of policytest scenario "infinite_loop" (policy/policytest/testdata/infinite_loop.lua is the
;; reference). Hostile: never answers; stopped by the call's deadline (wazero checks it at loop back-edges).
;; Built to policy/policytest/testdata/infinite_loop.wasm by plugins/build.sh.
(module
  (memory (export "memory") 1)
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param i32) (result i32) (i32.const 4096)) ;; one fixed buffer (inputs up to 60 KiB)
  (func (export "assentry_free") (param i32))
  (func (export "assentry_scope_policy") (param i32 i32) (result i64) (loop $forever (br $forever)) (i64.const 0))
)
