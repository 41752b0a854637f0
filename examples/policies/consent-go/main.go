//go:build wasip1

// Command consent-go is an example consent policy written in Go (the same policy as ../consent-assemblyscript,
// with the same decisions on testdata/consent-cases.json):
//
//   - a consent the user already gave is approved again, unless the client now asks for offline_access;
//
//   - otherwise the user is asked, and the page gets the configured scope descriptions, a notice when the client
//     wants offline access, and the client's own template when one is configured (per-client branding).
//
//     config:
//     descriptions: {payments: "Make payments on your behalf"}
//     templates: {partner-app: consent-partner}        # client_id -> a template of the active theme
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -ldflags='-s -w -buildid=' -o consent.wasm .
package main

import (
	"unsafe"

	"github.com/assentry/assentry/plugins/sdk/go/guest"
)

var (
	descriptions = map[string]string{}
	templates    = map[string]string{}
)

func init() {
	guest.OnInit(func(in *guest.InitInput) error {
		for _, m := range in.Config.Get("descriptions").Members() {
			descriptions[m.Key] = m.Value.Str()
		}
		for _, m := range in.Config.Get("templates").Members() {
			templates[m.Key] = m.Value.Str()
		}
		return nil
	})
}

//go:wasmexport assentry_consent
func consent(p unsafe.Pointer, n uint32) uint64 { return guest.Consent(p, n, decide) }

func decide(in *guest.ConsentInput) (*guest.ConsentOutput, error) {
	offline := guest.Has(in.RequestedScopes, "offline_access")
	if in.PreviouslyConsented && !offline {
		remember := true
		return &guest.ConsentOutput{Decision: guest.Approve, Remember: &remember}, nil
	}
	page := &guest.ConsentPage{Template: templates[in.Client.ClientID]}
	for _, s := range in.RequestedScopes {
		if d, ok := descriptions[s]; ok {
			if page.ScopeDescriptions == nil {
				page.ScopeDescriptions = map[string]string{}
			}
			page.ScopeDescriptions[s] = d
		}
	}
	if offline {
		name := in.Client.ClientName
		if name == "" {
			name = in.Client.ClientID
		}
		page.Notices = append(page.Notices, name+" will keep access to your account until you revoke it.")
	}
	return &guest.ConsentOutput{Decision: guest.Ask, Page: page}, nil
}

func main() {}
