package wasm

import (
	"bytes"
	"errors"
	"fmt"
)

// The rewrite of function bodies (see instrument.go for why): the fuel check at loop headers and function
// entries, the call-depth count around each body.

// rewriteCode instruments every function body.
func (m *rewrite) rewriteCode() ([]byte, error) {
	if m.code == nil {
		return nil, nil
	}
	r := &reader{b: m.code}
	n := r.u32()
	if int(n) != len(m.funcTypes) {
		return nil, errors.New("function and code sections disagree")
	}
	out := appendU32(make([]byte, 0, len(m.code)+len(m.code)/8), n)
	var body []byte
	for i := uint32(0); i < n; i++ {
		size := r.u32()
		if r.err != nil || int(size) > len(r.b)-r.p {
			return nil, errors.New("truncated function body")
		}
		t := m.funcTypes[i]
		if int(t) >= len(m.types) {
			return nil, fmt.Errorf("function %d: unknown type %d", m.importedFuncs+i, t)
		}
		var err error
		body, err = m.body(body[:0], r.b[r.p:r.p+int(size)], m.types[t])
		if err != nil {
			return nil, fmt.Errorf("function %d: %w", m.importedFuncs+i, err)
		}
		r.p += int(size)
		out = appendU32(out, uint32(len(body)))
		out = append(out, body...)
	}
	return out, r.err
}

// blockType returns the block type of a body whose function returns results ([] -> results).
func (m *rewrite) blockType(results []byte) []byte {
	rr := &reader{b: results}
	switch rr.u32() {
	case 0:
		return []byte{0x40}
	case 1:
		return results[rr.p:]
	}
	for i, t := range m.newTypes {
		if bytes.Equal(t, results) {
			return appendS33(nil, int64(m.typeCount)+int64(i))
		}
	}
	m.newTypes = append(m.newTypes, results)
	return appendS33(nil, int64(m.typeCount)+int64(len(m.newTypes)-1))
}

// body instruments one function body (locals, then an expression ending in end).
func (m *rewrite) body(out, in []byte, results []byte) ([]byte, error) {
	r := &reader{b: in}
	groups := r.u32()
	for i := uint32(0); i < groups && r.err == nil; i++ {
		r.u32()
		r.skipValType()
	}
	if r.err != nil {
		return nil, r.err
	}
	out = append(out, in[:r.p]...) // the locals, as they were
	check := m.check(nil)
	out = append(out, check...)
	// $depth += 1; if $depth > maxCallDepth { unreachable }
	out = m.globalGet(out, m.depth)
	out = append(out, 0x41, 0x01, 0x6a) // i32.const 1, i32.add
	out = m.globalSet(out, m.depth)
	out = m.globalGet(out, m.depth)
	out = append(out, 0x41)
	out = appendS33(out, maxCallDepth)
	out = append(out, 0x4b, 0x04, 0x40, 0x00, 0x0b) // i32.gt_u, if, unreachable, end
	out = append(out, 0x02)                         // block <results>: the body, so every exit passes below
	out = append(out, m.blockType(results)...)
	decrement := m.globalGet(nil, m.depth)
	decrement = append(decrement, 0x41, 0x01, 0x6b) // i32.const 1, i32.sub
	decrement = m.globalSet(decrement, m.depth)

	nesting := 0
	for r.p < len(r.b) {
		start := r.p
		op, err := r.instruction()
		if err != nil {
			return nil, fmt.Errorf("at byte %d: %w", start, err)
		}
		switch op {
		case 0x23, 0x24: // global.get, global.set
			// The module's own globals only: an index past them is invalid as written, and after the
			// rewrite it would reach the host's $stop, $depth or $fuel (and let a guest outrun its deadline).
			if idx := (&reader{b: r.b[start+1 : r.p]}).u32(); idx >= m.stop {
				return nil, fmt.Errorf("at byte %d: global %d does not exist", start, idx)
			}
		case 0x26: // table.set
			m.tableWrites++
		case 0xfc: // table.init, elem.drop, table.copy, table.grow, table.fill; data.drop
			switch sub := (&reader{b: r.b[start+1 : r.p]}).u32(); sub {
			case 9, 12, 13, 14, 15, 17:
				m.tableWrites++
			}
		case 0x02, 0x04: // block, if
			nesting++
		case 0x03: // loop: check at its header, where every back-edge lands
			nesting++
			out = append(out, r.b[start:r.p]...)
			out = append(out, check...)
			continue
		case 0x0b: // end
			if nesting == 0 { // the function's end: close the wrapper, decrement, end
				if r.p != len(r.b) {
					return nil, errors.New("code after the function's end")
				}
				out = append(out, 0x0b)
				out = append(out, decrement...)
				return append(out, 0x0b), nil
			}
			nesting--
		case 0x0f, 0x12, 0x13: // return, return_call, return_call_indirect: leave through the decrement
			out = append(out, decrement...)
		}
		out = append(out, r.b[start:r.p]...)
	}
	return nil, errors.New("function body without end")
}

// check burns one unit of fuel; when it is out: a visit to Go, the stop check and a refill.
func (m *rewrite) check(out []byte) []byte {
	out = m.globalGet(out, m.fuel)
	out = append(out, 0x41, 0x01, 0x6b) // i32.const 1, i32.sub
	out = m.globalSet(out, m.fuel)
	out = m.globalGet(out, m.fuel)
	out = append(out, 0x45, 0x04, 0x40) // i32.eqz, if
	if m.hasMemory {
		out = append(out, 0x41, 0x00, 0x40, 0x00, 0x1a) // i32.const 0, memory.grow 0, drop: into Go and back
	}
	out = m.globalGet(out, m.stop)
	out = append(out, 0x04, 0x40, 0x00, 0x0b) // if, unreachable, end
	out = append(out, 0x41)
	out = appendS33(out, fuelPerExit)
	out = m.globalSet(out, m.fuel)
	return append(out, 0x0b) // end
}

func (m *rewrite) globalGet(out []byte, idx uint32) []byte { return appendU32(append(out, 0x23), idx) }
func (m *rewrite) globalSet(out []byte, idx uint32) []byte { return appendU32(append(out, 0x24), idx) }
