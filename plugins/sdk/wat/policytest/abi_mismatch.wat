;; abi_mismatch.wat: the wasm fixture of policytest scenario "abi_mismatch" (policy/policytest/testdata/abi_mismatch.lua is the
;; reference). Written for another ABI version (assentry_abi_version returns 2): refused at load.
;; Built to policy/policytest/testdata/abi_mismatch.wasm by plugins/build.sh.
(module
  (memory (export "memory") 1)
  (func (export "assentry_abi_version") (result i32) (i32.const 2))
  (func (export "assentry_alloc") (param i32) (result i32) (i32.const 4096)) ;; one fixed buffer (inputs up to 60 KiB)
  (func (export "assentry_free") (param i32))
  (data (i32.const 0) "{\"granted_scopes\":[]}")
  (func (export "assentry_scope_policy") (param i32 i32) (result i64) (i64.const 21)) ;; (0 << 32) | 21
)
