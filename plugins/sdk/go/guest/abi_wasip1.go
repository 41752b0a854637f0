//go:build wasip1

package guest

import (
	"runtime"
	"unsafe"
)

// The ABI's plumbing (docs/policy-abi.md, "WebAssembly binding"), exported by every plugin that imports this
// package: the version, the allocator for the host's input buffer (one per instance, reused), assentry_init.

//go:wasmexport assentry_abi_version
func abiVersion() int32 { return ABIVersion }

// buffers keeps the buffers handed to the host reachable (Go's collector does not move memory, so their
// addresses stay valid) until assentry_free.
var buffers = map[unsafe.Pointer][]byte{}

//go:wasmexport assentry_alloc
func alloc(n uint32) unsafe.Pointer {
	b := make([]byte, max(n, 1))
	p := unsafe.Pointer(unsafe.SliceData(b))
	buffers[p] = b
	return p
}

//go:wasmexport assentry_free
func free(p unsafe.Pointer) { delete(buffers, p) }

var initFunc InitFunc

// OnInit registers the plugin's init handler; call it from a Go init function (a reactor's main never
// runs). Without one, init answers {}.
func OnInit(f InitFunc) { initFunc = f }

//go:wasmexport assentry_init
func initExport(p unsafe.Pointer, n uint32) uint64 { return answer(ServeInit(input(p, n), initFunc)) }

// output is the last answer: the host copies it before the next call, so it only has to outlive this one.
var output []byte

func input(p unsafe.Pointer, n uint32) []byte { return unsafe.Slice((*byte)(p), n) }

// answer keeps b and packs its address and length as the result (docs/policy-abi.md, "WebAssembly binding").
func answer(b []byte) uint64 {
	output = b
	runtime.Gosched()
	return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b))))<<32 | uint64(len(b))
}

// ValidateRegistration serves an assentry_validate_registration export with f.
func ValidateRegistration(p unsafe.Pointer, n uint32, f ValidateRegistrationFunc) uint64 {
	return answer(ServeValidateRegistration(input(p, n), f))
}

// MapRoles serves an assentry_map_roles export with f.
func MapRoles(p unsafe.Pointer, n uint32, f MapRolesFunc) uint64 {
	return answer(ServeMapRoles(input(p, n), f))
}

// ScopePolicy serves an assentry_scope_policy export with f.
func ScopePolicy(p unsafe.Pointer, n uint32, f ScopePolicyFunc) uint64 {
	return answer(ServeScopePolicy(input(p, n), f))
}

// Consent serves an assentry_consent export with f.
func Consent(p unsafe.Pointer, n uint32, f ConsentFunc) uint64 {
	return answer(ServeConsent(input(p, n), f))
}

// Claims serves an assentry_claims export with f.
func Claims(p unsafe.Pointer, n uint32, f ClaimsFunc) uint64 {
	return answer(ServeClaims(input(p, n), f))
}

//go:wasmimport assentry log
func hostLog(level int32, p unsafe.Pointer, n uint32)

// Log writes msg to the host's log at level (capped by the host per call).
func Log(level Level, msg string) {
	hostLog(int32(level), unsafe.Pointer(unsafe.StringData(msg)), uint32(len(msg)))
}
