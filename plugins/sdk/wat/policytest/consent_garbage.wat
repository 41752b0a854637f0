;; consent_garbage.wat: the wasm fixture of policytest scenario "consent_garbage" (policy/policytest/testdata/consent_garbage.lua is the
;; reference). Hostile consent policy: an unknown decision.
;; Built to policy/policytest/testdata/consent_garbage.wasm by plugins/build.sh.
(module
  (memory (export "memory") 1)
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param i32) (result i32) (i32.const 4096)) ;; one fixed buffer (inputs up to 60 KiB)
  (func (export "assentry_free") (param i32))
  (data (i32.const 0) "{\"decision\":\"maybe\"}")
  (func (export "assentry_consent") (param i32 i32) (result i64) (i64.const 20)) ;; (0 << 32) | 20
)
