;; hostile.wat: one hook, assentry_scope_policy, whose behaviour is picked by the first byte of its input, for
;; the engine's failure tests (the input need not be JSON: the engine does not look at it).
;;   L  loops forever                       -> deadline
;;   R  recurses without end (no loop)      -> out_of_memory (the call-depth cap)
;;   M  grows memory forever, ignoring -1   -> out_of_memory (the cap refused a grow; then the deadline)
;;   N  grows memory until refused, then traps -> out_of_memory
;;   T  unreachable                         -> trap
;;   D  divides by zero                     -> trap
;;   A  env.abort("boom", "hostile.ts", 7, 3) -> trap, message logged
;;   X  wasi proc_exit(3)                   -> trap
;;   W  writes "hello from guest" to stdout, then echoes
;;   O  answers a pointer past the end of memory -> invalid_output
;;   B  answers 128 KiB                      -> invalid_output (over the output limit)
;;   G  answers "not json"                  -> invalid_output
;;   C  counts its calls: {"n":"<count mod 10>"} (a fresh instance starts at 1)
;;   anything else: echoes the input
(module
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  (global $count (mut i32) (i32.const 0))
  ;; AssemblyScript strings: byte length at ptr-4, UTF-16LE at ptr.
  (data (i32.const 1020) "\08\00\00\00b\00o\00o\00m\00")
  (data (i32.const 1052) "\14\00\00\00h\00o\00s\00t\00i\00l\00e\00.\00t\00s\00")
  (data (i32.const 2048) "\34\08\00\00\11\00\00\00") ;; iovec {2100, 17}
  (data (i32.const 2100) "hello from guest\n")
  (data (i32.const 2200) "not json")
  (data (i32.const 2300) "{\"n\":\"0\"}")

  (func $pack (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32))
            (i64.extend_i32_u (local.get $len))))

  (func (export "assentry_abi_version") (result i32) (i32.const 1))

  (func (export "assentry_alloc") (param $n i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (global.get $heap))
    (local.set $end (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.lt_s
              (memory.grow (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16))
                                    (memory.size)))
              (i32.const 0))
          (then (return (i32.const 0))))))
    (global.set $heap (local.get $end))
    (local.get $p))

  (func (export "assentry_free") (param $p i32))

  (func $recurse (param $n i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))

  (func (export "assentry_scope_policy") (param $ptr i32) (param $len i32) (result i64)
    (local $op i32)
    (local.set $op (i32.load8_u (local.get $ptr)))
    (if (i32.eq (local.get $op) (i32.const 76)) ;; L
      (then (loop $forever (br $forever))))
    (if (i32.eq (local.get $op) (i32.const 82)) ;; R
      (then (drop (call $recurse (i32.const 0)))))
    (if (i32.eq (local.get $op) (i32.const 77)) ;; M
      (then (loop $grow (drop (memory.grow (i32.const 1))) (br $grow))))
    (if (i32.eq (local.get $op) (i32.const 78)) ;; N
      (then (loop $grow
              (if (i32.lt_s (memory.grow (i32.const 1)) (i32.const 0)) (then unreachable))
              (br $grow))))
    (if (i32.eq (local.get $op) (i32.const 84)) ;; T
      (then unreachable))
    (if (i32.eq (local.get $op) (i32.const 68)) ;; D
      (then (drop (i32.div_u (i32.const 1) (i32.sub (local.get $op) (i32.const 68))))))
    (if (i32.eq (local.get $op) (i32.const 65)) ;; A
      (then (call $abort (i32.const 1024) (i32.const 1056) (i32.const 7) (i32.const 3))))
    (if (i32.eq (local.get $op) (i32.const 88)) ;; X
      (then (call $exit (i32.const 3))))
    (if (i32.eq (local.get $op) (i32.const 87)) ;; W
      (then (drop (call $fd_write (i32.const 1) (i32.const 2048) (i32.const 1) (i32.const 2064)))))
    (if (i32.eq (local.get $op) (i32.const 79)) ;; O
      (then (return (call $pack (i32.const -65536) (i32.const 16)))))
    (if (i32.eq (local.get $op) (i32.const 66)) ;; B
      (then (return (call $pack (i32.const 0) (i32.const 131072)))))
    (if (i32.eq (local.get $op) (i32.const 71)) ;; G
      (then (return (call $pack (i32.const 2200) (i32.const 8)))))
    (if (i32.eq (local.get $op) (i32.const 67)) ;; C
      (then
        (global.set $count (i32.add (global.get $count) (i32.const 1)))
        (i32.store8 (i32.const 2306) (i32.add (i32.const 48) (i32.rem_u (global.get $count) (i32.const 10))))
        (return (call $pack (i32.const 2300) (i32.const 9)))))
    (call $pack (local.get $ptr) (local.get $len)))
)
