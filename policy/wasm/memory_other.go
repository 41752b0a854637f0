//go:build !(linux || darwin || freebsd)

package wasm

// newBacking is a Go slice where address space cannot be reserved.
func newBacking(limit uint64) backing { return sliceBacking{limit: limit} }
