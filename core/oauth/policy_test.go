package oauth

import (
	"slices"
	"testing"

	"github.com/assentry/assentry/policy"
)

// TestGrantScopesInvariant: whatever the policy decides, a grant holds only scopes of the host's catalogue,
// within the client's, and role scopes only for holders of the role in force — also with the built-in
// map_roles and scope_policy switched off, where the chain alone would grant every requested scope.
func TestGrantScopesInvariant(t *testing.T) {
	e := newTokenEnv(t)
	bob := e.addUser("bob", "user")
	client, err := e.p.Clients.Get(e.ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	requested := []string{"openid", "user", "admin", "no-such-scope"}
	for _, tt := range []struct {
		name    string
		builtin map[string]bool
		want    []string
	}{
		{"built-in on", nil, []string{"openid", "user"}},
		{"scope_policy off", map[string]bool{policy.HookScopePolicy: false}, []string{"openid", "user"}},
		{"map_roles and scope_policy off: no roles in force", map[string]bool{policy.HookScopePolicy: false,
			policy.HookMapRoles: false}, []string{"openid"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.p.Policy = builtinChain(t, tkHost, e.p.Scopes, tt.builtin)
			got, _, _, perr := e.p.grantScopes(e.ctx, GrantAuthorizationCode, client, bob, requested, nil)
			if perr != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("granted %v (%v), want %v", got, perr, tt.want)
			}
		})
	}
}
