package wasm

import (
	"errors"
	"fmt"
)

// wazero's CompiledModule lists imported functions and memories but not imported tables or globals, which the
// allow-list must refuse by name as well; so the import section is read here. This is a reader for that one
// section of a module wazero has already validated, not a general decoder.

// importKind names the kinds of the import section (WebAssembly core spec §5.5.5).
var importKind = [...]string{"function", "table", "memory", "global", "tag"}

// wasmImport is one entry of the import section.
type wasmImport struct {
	module, name, kind string
}

func (i wasmImport) String() string { return i.module + "." + i.name }

// readImports lists the imports of a module binary in order.
func readImports(bin []byte) ([]wasmImport, error) {
	r := &reader{b: bin}
	if len(bin) < 8 || string(bin[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly binary")
	}
	r.p = 8
	for r.p < len(r.b) {
		id := r.byte()
		size := r.u32()
		end := r.p + int(size)
		if r.err != nil || end > len(r.b) || end < r.p {
			return nil, errors.New("truncated section")
		}
		if id != 2 { // not the import section
			r.p = end
			continue
		}
		n := r.u32()
		imports := make([]wasmImport, 0, min(n, 1024))
		for i := uint32(0); i < n && r.err == nil; i++ {
			im := wasmImport{module: r.name(), name: r.name()}
			k := r.byte()
			if int(k) >= len(importKind) {
				return nil, fmt.Errorf("import %s: unknown kind %#x", im, k)
			}
			im.kind = importKind[k]
			switch k {
			case 0: // function: type index
				r.u32()
			case 1: // table: reference type, limits
				r.byte()
				r.limits()
			case 2: // memory: limits
				r.limits()
			case 3: // global: value type, mutability
				r.byte()
				r.byte()
			case 4: // tag: attribute, type index
				r.byte()
				r.u32()
			}
			imports = append(imports, im)
		}
		if r.err != nil {
			return nil, fmt.Errorf("import section: %w", r.err)
		}
		return imports, nil
	}
	return nil, nil
}

// reader reads the primitives of the binary format; the first error sticks.
type reader struct {
	b   []byte
	p   int
	err error
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.p >= len(r.b) {
		r.err = errors.New("unexpected end")
		return 0
	}
	c := r.b[r.p]
	r.p++
	return c
}

// u64 reads an unsigned LEB128 number.
func (r *reader) u64() uint64 {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.err = errors.New("LEB128 number too long")
	return 0
}

func (r *reader) u32() uint32 {
	v := r.u64()
	if v > 1<<32-1 {
		r.err = errors.New("u32 out of range")
	}
	return uint32(v)
}

func (r *reader) name() string {
	n := int(r.u32())
	if r.err != nil {
		return ""
	}
	if n > len(r.b)-r.p {
		r.err = errors.New("name past the end")
		return ""
	}
	s := string(r.b[r.p : r.p+n])
	r.p += n
	return s
}

// limits reads a flag byte, a minimum and, when flag bit 0 is set, a maximum (also for 64-bit and shared
// memories, whose flags only add bits).
func (r *reader) limits() {
	flags := r.byte()
	r.u64()
	if flags&1 != 0 {
		r.u64()
	}
}

// skipConstExpr reads a constant expression up to its end (0x0b): the instructions a global's initialiser may
// hold, with the extended-const arithmetic.
func (r *reader) skipConstExpr() {
	for r.err == nil {
		switch op := r.byte(); op {
		case 0x0b: // end
			return
		case 0x41, 0x42, 0x23, 0xd2: // i32.const, i64.const (LEB128), global.get, ref.func
			r.u64()
		case 0x43: // f32.const
			r.p += 4
		case 0x44: // f64.const
			r.p += 8
		case 0xd0: // ref.null type
			r.byte()
		case 0xfd: // v128.const: sub-opcode 12, 16 bytes
			if r.u32() != 12 {
				r.err = errors.New("unsupported instruction in a constant expression")
			}
			r.p += 16
		case 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e: // i32/i64 add, sub, mul
		default:
			r.err = fmt.Errorf("unsupported instruction %#x in a constant expression", op)
		}
		if r.p > len(r.b) {
			r.err = errors.New("unexpected end")
		}
	}
}
