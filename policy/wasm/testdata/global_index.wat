;; global_index.wat: a valid plugin with one global, which claims sets to 12345. The test patches that
;; global.set to index 1 (no such global as written, but the host's $stop once instrumented) and expects the
;; load to be refused.
(module
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (data (i32.const 0) "{}")
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param $n i32) (result i32) (i32.const 1024))
  (func (export "assentry_free") (param $p i32))
  (func (export "assentry_claims") (param $ptr i32) (param $len i32) (result i64)
    (global.set $g (i32.const 12345))
    (i64.const 2)))
