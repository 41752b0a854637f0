package wasm

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Why the engine rewrites modules.
//
// wazero's WithCloseOnContextDone makes compiled code call back into Go at every loop back-edge to ask whether
// the module was closed. Measured here, that made a 600-byte scope policy call 20 to 30 times slower (2.6 µs
// without, 54 µs with, for a hand-written WAT policy; 130 µs for an AssemblyScript one), far from the ABI's
// budget (docs/policy-abi.md, "WebAssembly binding", "Limits, as built": the deadline). It also leaves loop-free recursion unbounded in time, and deep recursion bounded only by wazero's
// 400 MB call-stack ceiling, host memory outside the guest's page cap. Without any check, on the other hand, a
// guest loop never returns to Go: the goroutine cannot be preempted, a garbage collection waits for it (and the
// whole process with it), and the deadline's timer may never get to run.
//
// So, before compiling, instrument adds three mutable globals to the module and a few instructions:
//
//   - at every loop header and every function entry, a fuel counter is decremented; every fuelPerExit
//     decrements the guest executes `memory.grow 0`, which wazero implements as a call into Go (a point where
//     the Go runtime can preempt the goroutine), then traps if the host has set $stop (from the deadline's
//     timer, or when the caller's context is done), then refills the fuel. A check costs a load, a store and a
//     branch instead of a call into Go; the deadline is seen within fuelPerExit loop iterations or calls;
//   - at every function entry, `$depth += 1` and a trap past maxCallDepth, and `$depth -= 1` on every way out
//     (the body is wrapped in a block, so a branch to the function's label exits through the decrement; a
//     return decrements first): a call-depth cap, so a runaway recursion fails in microseconds with little stack.
//
// A start section is removed and its function exported as startExport, for the host to call after
// instantiation, under the deadline (a start function runs inside instantiation, where nothing could stop it).
// No function, import or global index changes (the globals are appended after all others), so the name
// section stays right; DWARF sections, whose code offsets would not, are dropped.

// Names the instrumented module exports for the host. Every export name with reservedPrefix is the host's.
const (
	reservedPrefix = "__assentry_"
	stopExport     = "__assentry_stop"  // i32 global: set to 1 to interrupt the running call
	depthExport    = "__assentry_depth" // i32 global: the current call depth
	startExport    = "__assentry_start" // the former start function
	globalExport   = "__assentry_g"     // + index: each mutable numeric global of the module (isolation.go)
)

// fuelPerExit is how many loop iterations and calls a guest runs between two visits to Go.
const fuelPerExit = 1000

// maxCallDepth bounds the guest's call stack. Standard Go, AssemblyScript and hand-written guests stay far
// below it; a recursion that reaches it is stopped at a few MB of host stack.
const maxCallDepth = 10_000

// instrumentation describes an instrumented module.
type instrumentation struct {
	bin      []byte
	hasStart bool // a start section was turned into startExport
	// globals are the export names of the module's own mutable globals of a numeric type (globalExport + index),
	// which isolation restores; opaque counts its mutable globals of other types (v128, references), which
	// the host cannot read through wazero's API and so cannot restore.
	globals []string
	opaque  int
	// tableWrites counts the instructions that change a table or drop a segment (table.set, table.grow,
	// table.fill, table.copy, table.init, elem.drop, data.drop): state that isolation cannot rewind.
	tableWrites int
}

// section is one section of a module binary.
type section struct {
	id      byte
	payload []byte
}

// instrument returns the module with the interruption checks and the depth cap described above.
func instrument(bin []byte) (instrumentation, error) {
	if len(bin) < 8 || string(bin[:4]) != "\x00asm" {
		return instrumentation{}, errors.New("not a WebAssembly binary")
	}
	var secs []section
	r := &reader{b: bin, p: 8}
	for r.p < len(r.b) {
		id := r.byte()
		size := r.u32()
		if r.err != nil || int(size) > len(r.b)-r.p {
			return instrumentation{}, errors.New("truncated section")
		}
		secs = append(secs, section{id: id, payload: r.b[r.p : r.p+int(size)]})
		r.p += int(size)
	}
	m := &rewrite{}
	for _, s := range secs {
		if err := m.scan(s); err != nil {
			return instrumentation{}, fmt.Errorf("section %d: %w", s.id, err)
		}
	}
	m.stop = m.importedGlobals + m.definedGlobals // after every existing global: no index moves
	m.depth = m.stop + 1
	m.fuel = m.stop + 2

	var out bytes.Buffer
	out.Write(bin[:8])
	emit := func(id byte, payload []byte) {
		out.WriteByte(id)
		out.Write(appendU32(nil, uint32(len(payload))))
		out.Write(payload)
	}
	code, err := m.rewriteCode()
	if err != nil {
		return instrumentation{}, fmt.Errorf("code: %w", err)
	}
	wroteGlobals, wroteExports := false, false
	for _, s := range secs {
		// Sections the module lacks are created at their place in the order of the spec.
		if !wroteGlobals && orderRank(s.id) > orderRank(6) && s.id != 0 {
			emit(6, m.globals(nil, 0))
			wroteGlobals = true
		}
		if !wroteExports && orderRank(s.id) > orderRank(7) && s.id != 0 {
			emit(7, m.exports(nil, 0))
			wroteExports = true
		}
		switch s.id {
		case 0:
			if strings.HasPrefix(customName(s.payload), ".debug") {
				continue
			}
			emit(0, s.payload)
		case 1:
			emit(1, m.typeSection(s.payload))
		case 6:
			emit(6, m.globals(s.payload, m.definedGlobals))
			wroteGlobals = true
		case 7:
			emit(7, m.exports(s.payload, m.exportCount))
			wroteExports = true
		case 8: // start: exported instead
		case 10:
			emit(10, code)
		default:
			emit(s.id, s.payload)
		}
	}
	if !wroteGlobals {
		emit(6, m.globals(nil, 0))
	}
	if !wroteExports {
		emit(7, m.exports(nil, 0))
	}
	ins := instrumentation{bin: out.Bytes(), hasStart: m.hasStart, opaque: m.opaqueGlobals, tableWrites: m.tableWrites}
	for _, g := range m.mutable {
		ins.globals = append(ins.globals, globalName(g))
	}
	return ins, nil
}

func globalName(index uint32) string { return fmt.Sprintf("%s%d", globalExport, index) }

// orderRank is a section's place in the order the spec requires (the tag section, 13, sits before globals;
// the data count section, 12, before code).
func orderRank(id byte) int {
	return [...]int{0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13}[min(id, 13)]
}

func customName(payload []byte) string {
	r := &reader{b: payload}
	return r.name()
}

// rewrite holds what instrument learned from the sections it needs.
type rewrite struct {
	types           [][]byte // result types of each function type
	typeCount       uint32
	newTypes        [][]byte // [] -> results types added for multi-value bodies
	importedFuncs   uint32
	importedGlobals uint32
	funcTypes       []uint32 // type index of each defined function
	definedGlobals  uint32
	mutable         []uint32 // indexes of the defined mutable globals of a numeric type
	opaqueGlobals   int      // defined mutable globals of another type
	tableWrites     int      // instructions that change tables or drop segments
	exportCount     uint32
	start           uint32
	hasStart        bool
	code            []byte
	stop, depth     uint32 // indexes of the added globals
	fuel            uint32
	hasMemory       bool // memory.grow needs a memory; a module without one is refused at load anyway
}

func (m *rewrite) scan(s section) error {
	r := &reader{b: s.payload}
	switch s.id {
	case 1: // types: 0x60 params results
		n := r.u32()
		for i := uint32(0); i < n && r.err == nil; i++ {
			if r.byte() != 0x60 {
				return errors.New("unsupported type form")
			}
			r.skipValTypes()
			start := r.p
			r.skipValTypes()
			m.types = append(m.types, r.b[start:r.p])
		}
		m.typeCount = n
	case 2:
		n := r.u32()
		for i := uint32(0); i < n && r.err == nil; i++ {
			r.name()
			r.name()
			switch r.byte() {
			case 0:
				r.u32()
				m.importedFuncs++
			case 1:
				r.byte()
				r.limits()
			case 2:
				r.limits()
				m.hasMemory = true
			case 3:
				r.byte()
				r.byte()
				m.importedGlobals++
			case 4:
				r.byte()
				r.u32()
			default:
				return errors.New("unknown import kind")
			}
		}
	case 3:
		n := r.u32()
		for i := uint32(0); i < n && r.err == nil; i++ {
			m.funcTypes = append(m.funcTypes, r.u32())
		}
	case 5:
		m.hasMemory = m.hasMemory || r.u32() > 0
	case 6:
		m.definedGlobals = r.u32()
		for i := uint32(0); i < m.definedGlobals && r.err == nil; i++ {
			typ := r.byte()
			if r.byte() == 1 {
				if typ >= 0x7c && typ <= 0x7f { // f64, f32, i64, i32
					m.mutable = append(m.mutable, m.importedGlobals+i)
				} else {
					m.opaqueGlobals++
				}
			}
			r.skipConstExpr()
		}
	case 7:
		m.exportCount = r.u32()
		for i := uint32(0); i < m.exportCount && r.err == nil; i++ {
			if name := r.name(); strings.HasPrefix(name, reservedPrefix) {
				return fmt.Errorf("export %q is reserved for the host (names starting with %s)", name, reservedPrefix)
			}
			r.byte()
			r.u32()
		}
	case 8:
		m.start, m.hasStart = r.u32(), true
	case 10:
		m.code = s.payload
	}
	return r.err
}

// typeSection appends the block types that multi-value function bodies need.
func (m *rewrite) typeSection(payload []byte) []byte {
	if len(m.newTypes) == 0 {
		return payload
	}
	r := &reader{b: payload}
	n := r.u32()
	out := appendU32(nil, n+uint32(len(m.newTypes)))
	out = append(out, payload[r.p:]...)
	for _, results := range m.newTypes {
		out = append(out, 0x60, 0x00)
		out = append(out, results...)
	}
	return out
}

// globals appends $stop, $depth (mutable i32, 0) and $fuel (mutable i32, fuelPerExit) to a global section
// of n entries.
func (m *rewrite) globals(payload []byte, n uint32) []byte {
	out := appendU32(nil, n+3)
	if payload != nil {
		r := &reader{b: payload}
		r.u32()
		out = append(out, payload[r.p:]...)
	}
	for _, v := range []int64{0, 0, fuelPerExit} {
		out = append(out, 0x7f, 0x01, 0x41) // i32, mutable, i32.const v, end
		out = append(appendS33(out, v), 0x0b)
	}
	return out
}

// exports appends the exports of the added globals, of the module's mutable numeric globals (for isolation)
// and of the former start function.
func (m *rewrite) exports(payload []byte, n uint32) []byte {
	extra := 2 + len(m.mutable)
	if m.hasStart {
		extra++
	}
	out := appendU32(nil, n+uint32(extra))
	if payload != nil {
		r := &reader{b: payload}
		r.u32()
		out = append(out, payload[r.p:]...)
	}
	out = appendName(out, stopExport)
	out = append(out, 0x03)
	out = appendU32(out, m.stop)
	out = appendName(out, depthExport)
	out = append(out, 0x03)
	out = appendU32(out, m.depth)
	for _, g := range m.mutable {
		out = appendName(out, globalName(g))
		out = append(out, 0x03)
		out = appendU32(out, g)
	}
	if m.hasStart {
		out = appendName(out, startExport)
		out = append(out, 0x00)
		out = appendU32(out, m.start)
	}
	return out
}
