// Package guest is the Go SDK for Assentry policy plugins compiled to WebAssembly (docs/policy-abi.md, "WebAssembly
// binding"): it exports the ABI's plumbing (assentry_abi_version, assentry_alloc, assentry_free, assentry_init),
// decodes each hook's input into a plain struct and encodes the decision, with a small JSON codec of its own
// instead of encoding/json, whose reflection costs a standard Go guest hundreds of microseconds a call.
//
// A plugin is a main package built as a WASI reactor with standard Go:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -ldflags='-s -w -buildid=' -o plugin.wasm .
//
// and exports the hooks it implements, each in two lines:
//
//	//go:wasmexport assentry_consent
//	func consent(ptr unsafe.Pointer, n uint32) uint64 { return guest.Consent(ptr, n, decide) }
//
//	func decide(in *guest.ConsentInput) (*guest.ConsentOutput, error) {
//		if in.Client.ClientID == "first-party" {
//			return &guest.ConsentOutput{Decision: guest.Approve}, nil
//		}
//		return &guest.ConsentOutput{Decision: guest.Ask}, nil
//	}
//
// A plugin with configuration reads it in an init handler registered from a Go init function
// (guest.OnInit); main is never called in a reactor. Returning an error from a hook function answers the
// ABI's declared error {"error": {"code", "description"}} (use *guest.Error to choose the code); a panic is a
// trap, and the host discards the instance.
//
// Everything but the exports (abi_wasip1.go) builds on any platform, so plugins can unit-test their
// decisions with go test on the host: ServeConsent and friends take and return the JSON bytes. The Values of a
// hook's input are valid during the call only (the token index is reused); the config given to init lasts.
//
// The package imports only a few small standard packages (strconv, sync, runtime, unicode/utf8, unicode/utf16,
// unsafe): the smaller the guest, the faster it compiles and instantiates.
package guest
