package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestClientResourcesCLI: `client add --resource ... --access-token-format jwt` stores the client's resources
// (RFC 8707) and token format (RFC 9068), `client list --json` shows them, `client update` changes them, and a
// resource with a fragment, a relative one or an unknown format is refused (exit 2).
func TestClientResourcesCLI(t *testing.T) {
	e := newCLIEnv(t)
	e.appendConfig("grant_types: [authorization_code, refresh_token, client_credentials]\n")
	out := e.ok("", "client", "add", "--name", "API client", "--client-id", "api-client", "--grant-type", "client_credentials",
		"--resource", "https://api.example.com/", "--resource", "urn:example:ledger", "--access-token-format", "jwt", "--json")
	if !strings.Contains(out, "api-client") {
		t.Fatalf("client add: %s", out)
	}
	type view struct {
		ID        string   `json:"client_id"`
		Resources []string `json:"resources"`
		Format    string   `json:"access_token_format"`
	}
	list := func() view {
		t.Helper()
		var clients []view
		if err := json.Unmarshal([]byte(e.ok("", "client", "list", "--json")), &clients); err != nil || len(clients) != 1 {
			t.Fatalf("client list: %v %+v", err, clients)
		}
		return clients[0]
	}
	if c := list(); !slices.Equal(c.Resources, []string{"https://api.example.com/", "urn:example:ledger"}) || c.Format != "jwt" {
		t.Fatalf("added client: %+v", c)
	}
	e.ok("", "client", "update", "api-client", "--resource", "https://reports.example.com/", "--access-token-format", "opaque")
	if c := list(); !slices.Equal(c.Resources, []string{"https://reports.example.com/"}) || c.Format != "opaque" {
		t.Fatalf("updated client: %+v", c)
	}
	for _, tc := range []struct{ flag, value, want string }{
		{"--resource", "https://api.example.com/#frag", "resources: a resource must not include a fragment"},
		{"--resource", "/relative", "resources: a resource must be an absolute URI"},
		{"--access-token-format", "paseto", `access_token_format: "paseto" is not one of opaque, jwt`},
	} {
		r := e.run("", "client", "add", "--name", "Bad", "--grant-type", "client_credentials", tc.flag, tc.value)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Fatalf("client add %s %s: exit %d %s", tc.flag, tc.value, r.code, r.stderr)
		}
	}
}
