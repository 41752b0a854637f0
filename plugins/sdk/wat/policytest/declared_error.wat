;; declared_error.wat: the wasm fixture of policytest scenario "declared_error" (policy/policytest/testdata/declared_error.lua is the
;; reference). A plugin-declared error (outcome 2 of docs/policy-abi.md, "Outcomes").
;; Built to policy/policytest/testdata/declared_error.wasm by plugins/build.sh.
(module
  (memory (export "memory") 1)
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param i32) (result i32) (i32.const 4096)) ;; one fixed buffer (inputs up to 60 KiB)
  (func (export "assentry_free") (param i32))
  (data (i32.const 0) "{\"error\":{\"code\":\"directory_unavailable\",\"description\":\"the group directory did not answer\"}}")
  (func (export "assentry_scope_policy") (param i32 i32) (result i64) (i64.const 93)) ;; (0 << 32) | 93
)
