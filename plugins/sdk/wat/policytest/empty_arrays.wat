;; empty_arrays.wat: the wasm fixture of policytest scenario "empty_arrays" (policy/policytest/testdata/empty_arrays.lua is the
;; reference). Every scope denied: empty arrays.
;; Built to policy/policytest/testdata/empty_arrays.wasm by plugins/build.sh.
(module
  (memory (export "memory") 1)
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param i32) (result i32) (i32.const 4096)) ;; one fixed buffer (inputs up to 60 KiB)
  (func (export "assentry_free") (param i32))
  (data (i32.const 0) "{\"granted_scopes\":[],\"denied\":[]}")
  (func (export "assentry_scope_policy") (param i32 i32) (result i64) (i64.const 33)) ;; (0 << 32) | 33
)
