package config

import "testing"

// TestResourceRules: resources (RFC 8707) and access_token_format, for the host and its clients.
func TestResourceRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "resources", yaml: `
resources:
  - uri: https://api.example.com/
  - uri: urn:example:ledger
    access_token_format: jwt
    default: true
clients:
  - client_id: svc
    client_name: Service
    client_secret_sha256: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
    redirect_uris: [https://svc.example.com/cb]
    resources: [https://api.example.com/]
    access_token_format: jwt
`},
		{name: "bad resources", yaml: `
resources:
  - uri: /relative
  - uri: https://api.example.com/#frag
  - uri: https://api.example.com/
    default: true
  - uri: https://api.example.com/
    access_token_format: paseto
    default: true
clients:
  - client_id: svc
    client_name: Service
    redirect_uris: [https://svc.example.com/cb]
    resources: ["", "https://api.example.com/#x", "https://api.example.com/a b"]
    access_token_format: JWT
`, want: []string{`resources[0].uri: "/relative" must be an absolute URI`,
			`resources[1].uri: "https://api.example.com/#frag" must not have a fragment`,
			`resources[3].uri: "https://api.example.com/" is listed twice`,
			`resources[3].default: only one resource may be the default`,
			`resources[3].access_token_format: "paseto" must be opaque or jwt`,
			`clients[0].resources[0]: "" must not be empty`,
			`clients[0].resources[1]: "https://api.example.com/#x" must not have a fragment`,
			`clients[0].resources[2]: "https://api.example.com/a b" must hold only the characters of a URI`,
			`clients[0].access_token_format: "JWT" must be opaque or jwt`}},
	})
}
