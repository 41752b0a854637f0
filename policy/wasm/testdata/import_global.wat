;; import_global.wat: a module that imports a global before defining its own (the engine refuses the import at
;; load; the instrumenter, which runs first, must still number the globals right: the defined mutable global
;; is index 1).
(module
  (import "env" "g" (global $imported i32))
  (memory (export "memory") 1)
  (global $mine (mut i64) (i64.const -7))
  (global $fixed f32 (f32.const 1.5))
  (func (export "assentry_abi_version") (result i32) (i32.const 1))
  (func (export "get") (result i64) (i64.add (global.get $mine) (i64.extend_i32_s (global.get $imported)))))
