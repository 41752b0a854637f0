;; bad_log_type.wat: imports assentry.log with the wrong type: refused
(module
  (import "assentry" "log" (func (param i32 i32)))
  (memory (export "memory") 1)
  (func $pack (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))
  (data (i32.const 64) "{\"decision\":\"approve\"}")
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param i32) (result i32) (i32.const 4096))
  (func (export "assentry_free") (param i32))
  (func (export "assentry_consent") (param i32 i32) (result i64) (call $pack (i32.const 64) (i32.const 22)))
)
