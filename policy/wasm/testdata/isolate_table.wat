;; isolate_table.wat: a plugin that writes a table (state isolation cannot rewind): refused with isolate_calls,
;; accepted without. claims stores a function reference in slot 0 and answers {}.
(module
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (data (i32.const 0) "{}")
  (func $f)
  (elem declare func $f)
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param $n i32) (result i32) (i32.const 1024))
  (func (export "assentry_free") (param $p i32))
  (func (export "assentry_claims") (param $ptr i32) (param $len i32) (result i64)
    (table.set $t (i32.const 0) (ref.func $f))
    (i64.const 2)))
