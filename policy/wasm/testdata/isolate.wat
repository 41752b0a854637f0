;; isolate.wat: state that calls leave behind, for the isolation tests (isolation.go).
;;   claims        counts its calls in a mutable global and in a byte of linear memory, and answers both:
;;                 {"claims":{"g":<global count>,"m":<memory count>}} (one digit each)
;;   scope_policy  grows the memory by a page, then answers {"granted_scopes":[]}
;;   map_roles     reads the wall clock and one random byte: {"t":<clock ms mod 10>,"r":"<byte in hex>"}
;; A bump allocator from 1024 serves assentry_alloc; assentry_free does nothing.
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 0) "{\"claims\":{\"g\":0,\"m\":0}}")
  (data (i32.const 64) "{\"granted_scopes\":[]}")
  (data (i32.const 128) "{}")
  (data (i32.const 256) "{\"t\":0,\"r\":\"00\"}")
  (data (i32.const 320) "0123456789abcdef")

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

  (func (export "assentry_init") (param $ptr i32) (param $len i32) (result i64)
    (call $pack (i32.const 128) (i32.const 2)))

  (func (export "assentry_claims") (param $ptr i32) (param $len i32) (result i64)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.store8 (i32.const 600) (i32.add (i32.load8_u (i32.const 600)) (i32.const 1)))
    (i32.store8 (i32.const 15) (i32.add (i32.const 48) (global.get $calls)))
    (i32.store8 (i32.const 21) (i32.add (i32.const 48) (i32.load8_u (i32.const 600))))
    (call $pack (i32.const 0) (i32.const 24)))

  (func (export "assentry_scope_policy") (param $ptr i32) (param $len i32) (result i64)
    (drop (memory.grow (i32.const 1)))
    (call $pack (i32.const 64) (i32.const 21)))

  (func (export "assentry_map_roles") (param $ptr i32) (param $len i32) (result i64)
    (drop (call $clock (i32.const 0) (i64.const 1) (i32.const 704)))
    (i32.store8 (i32.const 261)
      (i32.add (i32.const 48)
        (i32.wrap_i64 (i64.rem_u (i64.div_u (i64.load (i32.const 704)) (i64.const 1000000)) (i64.const 10)))))
    (drop (call $random (i32.const 712) (i32.const 1)))
    (i32.store8 (i32.const 268) (i32.load8_u (i32.add (i32.const 320) (i32.shr_u (i32.load8_u (i32.const 712)) (i32.const 4)))))
    (i32.store8 (i32.const 269) (i32.load8_u (i32.add (i32.const 320) (i32.and (i32.load8_u (i32.const 712)) (i32.const 15)))))
    (call $pack (i32.const 256) (i32.const 16))))
