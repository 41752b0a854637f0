;; start_loops.wat: a start function that never returns: the load fails at the init deadline instead of hanging
;; in instantiation.
(module
  (memory (export "memory") 1)
  (func $start (loop $forever (br $forever)))
  (start $start)
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param i32) (result i32) (i32.const 4096))
  (func (export "assentry_free") (param i32))
  (func (export "assentry_consent") (param i32 i32) (result i64) (i64.const 0))
)
