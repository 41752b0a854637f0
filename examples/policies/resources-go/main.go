//go:build wasip1

// Command resources-go is an example scope_policy over resource indicators (RFC 8707), written in Go (the same
// policy as ../resources.lua, with the same decisions on ../testdata/resource-cases.json): the resources listed
// under staff_only go only to members of the group staff; for anyone else, and for a client acting for itself,
// they are taken out of the request's resources, and a request left with none is refused with invalid_target.
//
//	config:
//	  staff_only: ["https://calendar.example.com/"]
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -ldflags='-s -w -buildid=' -o resources.wasm .
package main

import (
	"unsafe"

	"github.com/assentry/assentry/plugins/sdk/go/guest"
)

var staffOnly []string

func init() {
	guest.OnInit(func(in *guest.InitInput) error {
		staffOnly = in.Config.Get("staff_only").Strings()
		return nil
	})
}

//go:wasmexport assentry_scope_policy
func scopePolicy(p unsafe.Pointer, n uint32) uint64 { return guest.ScopePolicy(p, n, decide) }

func decide(in *guest.ScopePolicyInput) (*guest.ScopePolicyOutput, error) {
	staff := in.User != nil && guest.Has(in.User.Groups, "staff")
	keep := []string{}
	for _, r := range in.Resource {
		if staff || !guest.Has(staffOnly, r) {
			keep = append(keep, r)
		}
	}
	return &guest.ScopePolicyOutput{GrantedScopes: in.GrantedScopes, GrantedResources: keep}, nil
}

func main() {}
