;; invalid_json.wat: the wasm fixture of policytest scenario "invalid_json" (policy/policytest/testdata/invalid_json.lua is the
;; reference). Hostile: an answer that is not JSON.
;; Built to policy/policytest/testdata/invalid_json.wasm by plugins/build.sh.
(module
  (memory (export "memory") 1)
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param i32) (result i32) (i32.const 4096)) ;; one fixed buffer (inputs up to 60 KiB)
  (func (export "assentry_free") (param i32))
  (data (i32.const 0) "{\"granted_scopes\":[nope")
  (func (export "assentry_scope_policy") (param i32 i32) (result i64) (i64.const 23)) ;; (0 << 32) | 23
)
