package wasm

import (
	"errors"
	"fmt"
)

// A reader of instructions: enough of the binary format to walk a function body and copy it (instrument_code.go),
// and the LEB128 writers the rewrite needs.

// instruction reads one instruction and its immediates, returning its opcode (the prefix for 0xFC-0xFE).
// It knows the instructions of WebAssembly 2.0 (with SIMD), threads and tail calls.
func (r *reader) instruction() (byte, error) {
	op := r.byte()
	switch {
	case op == 0x02 || op == 0x03 || op == 0x04: // block, loop, if
		r.blockType()
	case op == 0x0c || op == 0x0d: // br, br_if
		r.u32()
	case op == 0x0e: // br_table
		n := r.u32()
		for i := uint32(0); i <= n && r.err == nil; i++ {
			r.u32()
		}
	case op == 0x10 || op == 0x12: // call, return_call
		r.u32()
	case op == 0x11 || op == 0x13: // call_indirect, return_call_indirect
		r.u32()
		r.u32()
	case op == 0x1c: // select t*
		n := r.u32()
		for i := uint32(0); i < n && r.err == nil; i++ {
			r.skipValType()
		}
	case op >= 0x20 && op <= 0x26: // local.*, global.*, table.get/set
		r.u32()
	case op >= 0x28 && op <= 0x3e: // loads and stores
		r.memarg()
	case op == 0x3f || op == 0x40: // memory.size, memory.grow
		r.u32()
	case op == 0x41: // i32.const
		r.s64()
	case op == 0x42: // i64.const
		r.s64()
	case op == 0x43:
		r.skip(4)
	case op == 0x44:
		r.skip(8)
	case op == 0xd0: // ref.null
		r.byte()
	case op == 0xd2: // ref.func
		r.u32()
	case op == 0xfc:
		r.prefixedFC()
	case op == 0xfd:
		r.prefixedFD()
	case op == 0xfe:
		if r.u32() == 0x03 { // atomic.fence
			r.byte()
		} else {
			r.memarg()
		}
	case op <= 0x01, op == 0x05, op == 0x0b, op == 0x0f, op == 0x1a, op == 0x1b, op == 0xd1,
		op >= 0x45 && op <= 0xc4:
		// no immediates
	default:
		return op, fmt.Errorf("instruction 0x%02x is not supported", op)
	}
	return op, r.err
}

func (r *reader) prefixedFC() {
	switch sub := r.u32(); {
	case sub <= 7: // saturating truncations
	case sub == 8: // memory.init data mem
		r.u32()
		r.u32()
	case sub == 9 || sub == 11 || sub == 13 || sub == 15 || sub == 16 || sub == 17:
		r.u32() // data.drop, memory.fill, elem.drop, table.grow, table.size, table.fill
	case sub == 10 || sub == 12 || sub == 14: // memory.copy, table.init, table.copy
		r.u32()
		r.u32()
	default:
		r.fail(fmt.Sprintf("instruction 0xfc %d is not supported", sub))
	}
}

func (r *reader) prefixedFD() {
	switch sub := r.u32(); {
	case sub <= 11 || sub == 92 || sub == 93: // v128 loads and stores
		r.memarg()
	case sub == 12 || sub == 13: // v128.const, i8x16.shuffle
		r.skip(16)
	case sub >= 21 && sub <= 34: // extract_lane, replace_lane
		r.byte()
	case sub >= 84 && sub <= 91: // load_lane, store_lane
		r.memarg()
		r.byte()
	case sub <= 0x113: // no immediates
	default:
		r.fail(fmt.Sprintf("instruction 0xfd %d is not supported", sub))
	}
}

func (r *reader) blockType() {
	if r.p < len(r.b) {
		switch c := r.b[r.p]; {
		case c == 0x40 || (c >= 0x6f && c <= 0x7f): // empty, or one value type
			r.p++
			return
		}
	}
	r.s64() // a type index, as a signed 33-bit number
}

func (r *reader) memarg() {
	if align := r.u32(); align&0x40 != 0 { // multi-memory: a memory index follows
		r.u32()
	}
	r.u64()
}

func (r *reader) skipValType() {
	if c := r.byte(); c == 0x63 || c == 0x64 { // (ref null? ht): a heap type follows
		r.s64()
	}
}

func (r *reader) skipValTypes() {
	n := r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		r.skipValType()
	}
}

func (r *reader) skip(n int) {
	if r.err == nil && n > len(r.b)-r.p {
		r.err = errors.New("unexpected end")
		return
	}
	r.p += n
}

// s64 reads a signed LEB128 number (the instrumenter only skips them).
func (r *reader) s64() int64 {
	var v int64
	var shift uint
	for {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v
		}
		if shift >= 70 {
			r.err = errors.New("LEB128 number too long")
			return 0
		}
	}
}

func (r *reader) fail(msg string) {
	if r.err == nil {
		r.err = errors.New(msg)
	}
}

func appendU32(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func appendS33(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func appendName(b []byte, s string) []byte {
	return append(appendU32(b, uint32(len(s))), s...)
}
