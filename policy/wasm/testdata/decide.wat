;; decide.wat: a well-behaved plugin exporting every hook, for the engine's tests.
;;   init             keeps a copy of its input (the envelope, plugin name and host config) and answers {}
;;   validate_registration  {"decision":"accept"}
;;   map_roles        echoes its input (so a test can send any size)
;;   scope_policy     {"granted_scopes":["openid"]}
;;   consent          logs "consent called" at info, then {"decision":"approve"}
;;   claims           answers the input init received (so a test sees the host's config)
;; A bump allocator counts assentry_alloc and assentry_free calls in the exported globals allocs and frees.
(module
  (import "assentry" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  (global $allocs (export "allocs") (mut i32) (i32.const 0))
  (global $frees (export "frees") (mut i32) (i32.const 0))
  (global $init_ptr (mut i32) (i32.const 0))
  (global $init_len (mut i32) (i32.const 0))
  (data (i32.const 0) "{\"decision\":\"accept\"}")
  (data (i32.const 64) "{\"decision\":\"approve\"}")
  (data (i32.const 128) "consent called")
  (data (i32.const 192) "{\"granted_scopes\":[\"openid\"]}")
  (data (i32.const 256) "{}")

  (func $pack (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32))
            (i64.extend_i32_u (local.get $len))))

  (func (export "assentry_abi_version") (result i32) (i32.const 1))

  ;; Bump allocation, 8-byte aligned, growing the memory as needed; 0 when it cannot.
  (func $alloc (export "assentry_alloc") (param $n i32) (result i32)
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
    (global.set $allocs (i32.add (global.get $allocs) (i32.const 1)))
    (local.get $p))

  (func (export "assentry_free") (param $p i32)
    (global.set $frees (i32.add (global.get $frees) (i32.const 1))))

  (func (export "assentry_init") (param $ptr i32) (param $len i32) (result i64)
    (global.set $init_ptr (call $alloc (local.get $len)))
    (global.set $init_len (local.get $len))
    (memory.copy (global.get $init_ptr) (local.get $ptr) (local.get $len))
    (call $pack (i32.const 256) (i32.const 2)))

  (func (export "assentry_validate_registration") (param $ptr i32) (param $len i32) (result i64)
    (call $pack (i32.const 0) (i32.const 21)))

  (func (export "assentry_map_roles") (param $ptr i32) (param $len i32) (result i64)
    (call $pack (local.get $ptr) (local.get $len)))

  (func (export "assentry_scope_policy") (param $ptr i32) (param $len i32) (result i64)
    (call $pack (i32.const 192) (i32.const 29)))

  (func (export "assentry_consent") (param $ptr i32) (param $len i32) (result i64)
    (call $log (i32.const 1) (i32.const 128) (i32.const 14))
    (call $pack (i32.const 64) (i32.const 22)))

  (func (export "assentry_claims") (param $ptr i32) (param $len i32) (result i64)
    (call $pack (global.get $init_ptr) (global.get $init_len)))
)
