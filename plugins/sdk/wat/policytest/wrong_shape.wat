;; wrong_shape.wat: the wasm fixture of policytest scenario "wrong_shape" (policy/policytest/testdata/wrong_shape.lua is the
;; reference). Hostile: roles must be an array.
;; Built to policy/policytest/testdata/wrong_shape.wasm by plugins/build.sh.
(module
  (memory (export "memory") 1)
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param i32) (result i32) (i32.const 4096)) ;; one fixed buffer (inputs up to 60 KiB)
  (func (export "assentry_free") (param i32))
  (data (i32.const 0) "{\"roles\":\"admin\"}")
  (func (export "assentry_map_roles") (param i32 i32) (result i64) (i64.const 17)) ;; (0 << 32) | 17
)
