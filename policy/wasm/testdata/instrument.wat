;; instrument.wat: the shapes the instrumenter must keep right, for instrument_test.go. scope_policy's first input
;; byte picks:
;;   E  exits every way a function can (end, return, br and br_if to the function's label, br_table, a
;;      multi-value body) and answers {}: the call depth must be back to 0 afterwards
;;   F  a loop-free exponential recursion (fib 50): only the checks at function entries can stop it (deadline)
;;   S  sleeps through WASI poll_oneoff then answers {} (the deterministic clock does not block)
;; The start function counts its runs in the exported global "started" (1: it ran once, before any hook).
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $started (export "started") (mut i32) (i32.const 0))
  (data (i32.const 0) "{}")
  (func $start (global.set $started (i32.add (global.get $started) (i32.const 1))))
  (start $start)

  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "assentry_alloc") (param i32) (result i32) (i32.const 4096))
  (func (export "assentry_free") (param i32))

  (func $pair (param $x i32) (result i32 i32) ;; multi-value body, left by br 0 from a block
    (block (result i32 i32)
      (br 1 (local.get $x) (i32.const 2)))
    drop drop
    (i32.const 0) (i32.const 0))
  (func $early (param $x i32) (result i32) ;; return from inside a loop
    (loop $l
      (if (local.get $x) (then (return (i32.const 7))))
      (br $l))
    (i32.const 0))
  (func $brif (param $x i32) (result i32) ;; br_if to the function's label
    (br_if 0 (i32.const 5) (local.get $x))
    drop
    (i32.const 6))
  (func $table (param $x i32) ;; br_table whose default is the function's label
    (block $a
      (br_table $a 1 (local.get $x)))
    nop)
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  (func (export "assentry_scope_policy") (param $ptr i32) (param $len i32) (result i64)
    (local $op i32)
    (local.set $op (i32.load8_u (local.get $ptr)))
    (if (i32.eq (local.get $op) (i32.const 69)) ;; E
      (then
        (drop (drop (call $pair (i32.const 1))))
        (drop (call $early (i32.const 1)))
        (drop (call $brif (i32.const 1)))
        (drop (call $brif (i32.const 0)))
        (call $table (i32.const 0))
        (call $table (i32.const 5))))
    (if (i32.eq (local.get $op) (i32.const 70)) ;; F
      (then (drop (call $fib (i32.const 50)))))
    (if (i32.eq (local.get $op) (i32.const 83)) ;; S: one clock subscription of 10 s, relative
      (then
        (i64.store (i32.const 1024) (i64.const 0))           ;; userdata
        (i32.store8 (i32.const 1032) (i32.const 0))          ;; eventtype clock
        (i32.store (i32.const 1040) (i32.const 1))           ;; clock id monotonic
        (i64.store (i32.const 1048) (i64.const 10000000000)) ;; timeout ns
        (i64.store (i32.const 1056) (i64.const 0))           ;; precision
        (i32.store16 (i32.const 1064) (i32.const 0))         ;; flags: relative
        (drop (call $poll (i32.const 1024) (i32.const 2048) (i32.const 1) (i32.const 3072)))))
    (i64.const 2)) ;; "{}" at 0
)
