//go:build wasip1

// Command extra-claims is a policy plugin (WebAssembly, standard Go wasip1) that adds claims to id_tokens and
// userinfo answers from the user's attributes, as configured per host:
//
//	config:
//	  claims:
//	    - {claim: preferred_username, from: username}
//	    - {claim: groups, from: groups, scope: groups}        # only when the groups scope was granted
//	    - {claim: department, from: attributes.department}    # a member of a user object the host sends
//	  targets: [id_token, userinfo]                           # default: both
//
// from is a member of the hook's user object (sub, username, roles, groups, email, email_verified, or a dotted
// path into it). A user without that attribute gets no claim. Reserved claim names (iss, sub, aud, ...) are
// refused at load.
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -ldflags='-s -w -buildid=' -o extra-claims.wasm .
package main

import (
	"strings"
	"unsafe"

	"github.com/assentry/assentry/plugins/sdk/go/guest"
)

// mapping is one configured claim.
type mapping struct {
	claim string
	from  []string // path into the user object
	scope string   // required scope, or ""
}

var (
	mappings []mapping
	targets  = []string{"id_token", "userinfo"}
)

// reserved are the claim names the host drops (docs/policy-abi.md, "Reserved claim names"); refusing them tells the
// operator at load instead of at every token.
var reserved = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "azp", "nonce", "at_hash", "c_hash",
	"auth_time", "acr", "amr", "sid", "cnf", "scope", "client_id"}

func init() { guest.OnInit(configure) }

func configure(in *guest.InitInput) error {
	list := in.Config.Get("claims")
	if list.Kind() != guest.KindArray || list.Len() == 0 {
		return &guest.Error{Code: "invalid_config", Description: "claims: a list of {claim, from, scope?} is required"}
	}
	mappings = mappings[:0]
	for _, c := range list.Items() {
		m := mapping{claim: c.Get("claim").Str(), from: strings.Split(c.Get("from").Str(), "."), scope: c.Get("scope").Str()}
		switch {
		case m.claim == "" || m.from[0] == "":
			return &guest.Error{Code: "invalid_config", Description: "claims: each entry needs claim and from"}
		case guest.Has(reserved, m.claim):
			return &guest.Error{Code: "invalid_config", Description: "claims: " + m.claim + " is a reserved claim"}
		}
		mappings = append(mappings, m)
	}
	if t := in.Config.Get("targets"); t.Exists() {
		targets = t.Strings()
	}
	return nil
}

//go:wasmexport assentry_claims
func claims(p unsafe.Pointer, n uint32) uint64 { return guest.Claims(p, n, decide) }

func decide(in *guest.ClaimsInput) (*guest.ClaimsOutput, error) {
	out := &guest.ClaimsOutput{}
	if !guest.Has(targets, in.Target) {
		return out, nil
	}
	for _, m := range mappings {
		if m.scope != "" && !guest.Has(in.Scopes, m.scope) {
			continue
		}
		v := in.User.Raw
		for _, k := range m.from {
			v = v.Get(k)
		}
		if v.Exists() && v.Kind() != guest.KindNull {
			out.Claims.Value(m.claim, v)
		}
	}
	return out, nil
}

func main() {}
