;; scope-policy.wat: a policy plugin written by hand in the WebAssembly text format, to show the ABI with
;; nothing in between (docs/policy-abi.md, "WebAssembly binding"). It needs no SDK, no runtime and no WASI:
;;
;;   scope_policy: keeps the granted scopes, except those starting with "admin", which it reports as denied:
;;     in  {..., "granted_scopes": ["openid", "admin:users", "email"], ...}
;;     out {"granted_scopes":["openid","email"],"denied":[{"scope":"admin:users","reason":"admin scopes are not granted to this client"}]}
;;
;; Build: wat2wasm scope-policy.wat -o scope-policy.wasm   (wabt, Debian package "wabt")
;;
;; The exports the host checks at load: memory, assentry_abi_version, assentry_alloc, assentry_free and one
;; assentry_<hook>(ptr, len) -> i64 per hook, answering (out_ptr << 32) | out_len. The host writes each input
;; into the one buffer it allocated with assentry_alloc, and copies the answer before the next call.
;;
;; JSON is read the simple way a hand-written plugin can afford: the first "granted_scopes" member followed by
;; ':' and '[' (the host sends it once, at the top level), and scope strings copied as they are (RFC 6749 §3.3
;; scope tokens contain neither '"' nor '\').
(module
  (memory (export "memory") 1)

  ;; 0..1023: constant strings. 1024..: the heap, a bump allocator.
  (data (i32.const 0) "\"granted_scopes\"")                        ;; 16 bytes
  (data (i32.const 32) "{\"granted_scopes\":[")                    ;; 19
  (data (i32.const 64) ",\"denied\":[")                            ;; 11
  (data (i32.const 80) "{\"scope\":\"")                            ;; 10
  (data (i32.const 96) "\",\"reason\":\"admin scopes are not granted to this client\"}") ;; 57
  (data (i32.const 160) "admin")                                   ;; 5

  (global $heap (mut i32) (i32.const 1024))
  (global $out (mut i32) (i32.const 0))     ;; the answer buffer
  (global $out_cap (mut i32) (i32.const 0))
  (global $o (mut i32) (i32.const 0))       ;; write position in it

  (func (export "assentry_abi_version") (result i32) (i32.const 1))

  ;; assentry_alloc: bump allocation, 8-byte aligned, growing memory as needed; 0 when memory is exhausted.
  (func $alloc (export "assentry_alloc") (param $n i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (global.get $heap))
    (local.set $end (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
      (then
        (if (i32.lt_s (memory.grow (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16))
                                            (memory.size)))
                      (i32.const 0))
          (then (return (i32.const 0))))))
    (global.set $heap (local.get $end))
    (local.get $p))

  ;; assentry_free: a bump allocator frees nothing (the host frees only a buffer it outgrew, rarely).
  (func (export "assentry_free") (param $p i32))

  (func $emit (param $p i32) (param $n i32)
    (memory.copy (global.get $o) (local.get $p) (local.get $n))
    (global.set $o (i32.add (global.get $o) (local.get $n))))

  (func $emit_byte (param $b i32)
    (i32.store8 (global.get $o) (local.get $b))
    (global.set $o (i32.add (global.get $o) (i32.const 1))))

  (func $is_space (param $c i32) (result i32)
    (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x0a)))
            (i32.or (i32.eq (local.get $c) (i32.const 0x0d)) (i32.eq (local.get $c) (i32.const 0x09)))))

  (func $skip_space (param $i i32) (param $end i32) (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (br_if $done (i32.eqz (call $is_space (i32.load8_u (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))

  ;; The position just after the '[' of "granted_scopes": [, or 0 when there is none.
  (func $find_list (param $p i32) (param $end i32) (result i32)
    (local $i i32)
    (local.set $i (local.get $p))
    (block $none
      (loop $next
        (br_if $none (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
        (if (i32.and (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x22)) ;; a quote: worth a comparison
                     (i32.eqz (call $bytes_differ (local.get $i) (i32.const 0) (i32.const 16))))
          (then
            (local.set $i (call $skip_space (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
            (if (i32.and (i32.lt_u (local.get $i) (local.get $end)) (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x3a)))
              (then
                (local.set $i (call $skip_space (i32.add (local.get $i) (i32.const 1)) (local.get $end)))
                (if (i32.and (i32.lt_u (local.get $i) (local.get $end)) (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x5b)))
                  (then (return (i32.add (local.get $i) (i32.const 1)))))))
            (br $next)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; memcmp-like: 0 when the n bytes at a and b are equal.
  (func $bytes_differ (param $a i32) (param $b i32) (param $n i32) (result i32)
    (block $differ
      (loop $next
        (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
        (br_if $differ (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (i32.const 1))

  ;; Walks the scope list from $i and writes the kept scopes ($denied = 0) or the denied entries ($denied = 1),
  ;; comma-separated. Returns how many it wrote.
  (func $walk (param $i i32) (param $end i32) (param $denied i32) (result i32)
    (local $start i32) (local $len i32) (local $admin i32) (local $count i32)
    (block $done
      (loop $next
        (local.set $i (call $skip_space (local.get $i) (local.get $end)))
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (br_if $done (i32.ne (i32.load8_u (local.get $i)) (i32.const 0x22))) ;; not a string: ']' or garbage
        (local.set $start (i32.add (local.get $i) (i32.const 1)))
        (local.set $i (local.get $start))
        (block $closed
          (loop $char
            (br_if $done (i32.ge_u (local.get $i) (local.get $end))) ;; unterminated: stop
            (br_if $closed (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x22)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $char)))
        (local.set $len (i32.sub (local.get $i) (local.get $start)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $admin (i32.and (i32.ge_u (local.get $len) (i32.const 5))
                                   (i32.eqz (call $bytes_differ (local.get $start) (i32.const 160) (i32.const 5)))))
        (if (i32.eq (local.get $admin) (local.get $denied))
          (then
            (if (local.get $count) (then (call $emit_byte (i32.const 0x2c))))
            (if (local.get $denied)
              (then
                (call $emit (i32.const 80) (i32.const 10))
                (call $emit (local.get $start) (local.get $len))
                (call $emit (i32.const 96) (i32.const 57)))
              (else
                (call $emit_byte (i32.const 0x22))
                (call $emit (local.get $start) (local.get $len))
                (call $emit_byte (i32.const 0x22))))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $i (call $skip_space (local.get $i) (local.get $end)))
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (br_if $done (i32.ne (i32.load8_u (local.get $i)) (i32.const 0x2c))) ;; ']' ends the list
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $count))

  (func (export "assentry_scope_policy") (param $ptr i32) (param $len i32) (result i64)
    (local $end i32) (local $list i32) (local $need i32)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    ;; Bound the answer: a denied scope of n >= 5 bytes takes n + 3 bytes of input and n + 67 of answer, so
    ;; 16 times the input (plus the fixed parts) always fits. Make room once, keep it for the next calls.
    (local.set $need (i32.add (i32.shl (local.get $len) (i32.const 4)) (i32.const 128)))
    (if (i32.gt_u (local.get $need) (global.get $out_cap))
      (then
        (global.set $out (call $alloc (local.get $need)))
        (if (i32.eqz (global.get $out)) (then unreachable))
        (global.set $out_cap (local.get $need))))
    (global.set $o (global.get $out))
    (call $emit (i32.const 32) (i32.const 19))
    (local.set $list (call $find_list (local.get $ptr) (local.get $end)))
    (if (local.get $list)
      (then
        (drop (call $walk (local.get $list) (local.get $end) (i32.const 0)))
        (call $emit_byte (i32.const 0x5d))
        (call $emit (i32.const 64) (i32.const 11))
        (drop (call $walk (local.get $list) (local.get $end) (i32.const 1)))
        (call $emit_byte (i32.const 0x5d)))
      (else (call $emit_byte (i32.const 0x5d)))) ;; no list: grant nothing
    (call $emit_byte (i32.const 0x7d))
    (i64.or (i64.shl (i64.extend_i32_u (global.get $out)) (i64.const 32))
            (i64.extend_i32_u (i32.sub (global.get $o) (global.get $out)))))
)
