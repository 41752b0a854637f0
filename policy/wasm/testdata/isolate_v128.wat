;; isolate_v128.wat: a plugin with a mutable v128 global, which isolation cannot restore (wazero's API reads
;; numeric globals only): loading it with isolate_calls is refused, without it is accepted.
(module
  (memory (export "memory") 1)
  (global $v (mut v128) (v128.const i32x4 0 0 0 0))
  (data (i32.const 0) "{}")
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param $n i32) (result i32) (i32.const 1024))
  (func (export "assentry_free") (param $p i32))
  (func (export "assentry_claims") (param $ptr i32) (param $len i32) (result i64)
    (global.set $v (v128.const i32x4 1 2 3 4))
    (i64.const 2)))
