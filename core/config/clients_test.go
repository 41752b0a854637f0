package config

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
)

const secretHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" // sha256("test")

func TestClientRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "confidential and public clients", yaml: `
clients:
  - client_id: web
    client_secret_sha256: ` + secretHash + `
    redirect_uris: [https://app.example.com/cb]
    token_endpoint_auth_method: client_secret_post
  - client_id: app
    redirect_uris: ["com.example.app:/cb", "http://127.0.0.1/cb"]
    post_logout_redirect_uris: [https://app.example.com/]
    client_uri: https://app.example.com
    scope: openid profile offline_access
  - client_id: env
    client_secret_env: ENV_CLIENT_SECRET
    redirect_uris: [https://env.example.com/cb]
`, env: []string{"ENV_CLIENT_SECRET=s3cret"}},
		{name: "client id required and unique", yaml: `
clients:
  - redirect_uris: [https://a.example.com/cb]
  - {client_id: x, redirect_uris: [https://a.example.com/cb]}
  - {client_id: x, redirect_uris: [https://a.example.com/cb]}
  - {client_id: "tab\there", redirect_uris: [https://a.example.com/cb]}
`, want: []string{"clients[0].client_id: required", `clients[2].client_id: "x" is declared twice`,
			"clients[3].client_id: \"tab\\there\" must be printable ASCII"}},
		{name: "secret hash shape", yaml: "clients: [{client_id: a, client_secret_sha256: abc, redirect_uris: [https://a.example.com/cb]}]\n",
			want: []string{"clients[0].client_secret_sha256: must be 64 hex digits"}},
		{name: "both secrets", yaml: "clients: [{client_id: a, client_secret_sha256: " + secretHash +
			", client_secret_env: X_SECRET, redirect_uris: [https://a.example.com/cb]}]\n", env: []string{"X_SECRET=1"},
			want: []string{"clients[0]: set client_secret_sha256 or client_secret_env, not both"}},
		{name: "secret env missing", yaml: "clients: [{client_id: a, client_secret_env: MISSING_SECRET, redirect_uris: [https://a.example.com/cb]}]\n",
			want: []string{"clients[0].client_secret_env: environment variable MISSING_SECRET is not set"}},
		{name: "secret env empty", yaml: "clients: [{client_id: a, client_secret_env: EMPTY_SECRET, redirect_uris: [https://a.example.com/cb]}]\n",
			env: []string{"EMPTY_SECRET="}, want: []string{"clients[0].client_secret_env: environment variable EMPTY_SECRET is empty"}},
		{name: "secret env named like an override is not an override", env: []string{"ASSENTRY_WEB_SECRET=x"},
			yaml: "clients: [{client_id: a, client_secret_env: ASSENTRY_WEB_SECRET, redirect_uris: [https://a.example.com/cb]}]\n"},
		{name: "auth methods", yaml: `
clients:
  - {client_id: a, client_secret_sha256: ` + secretHash + `, token_endpoint_auth_method: none, redirect_uris: [https://a.example.com/cb]}
  - {client_id: b, token_endpoint_auth_method: client_secret_basic, redirect_uris: [https://a.example.com/cb]}
  - {client_id: c, token_endpoint_auth_method: private_key_jwt, redirect_uris: [https://a.example.com/cb]}
`, want: []string{"clients[0].token_endpoint_auth_method: none is for public clients, which must not have a secret",
			"clients[1].token_endpoint_auth_method: client_secret_basic needs client_secret_sha256 or client_secret_env",
			`clients[2].token_endpoint_auth_method: "private_key_jwt" must be client_secret_basic, client_secret_post or none`}},
		{name: "client grants within the host's", yaml: `
grant_types: [authorization_code]
clients:
  - {client_id: a, grant_types: [authorization_code, refresh_token], redirect_uris: [https://a.example.com/cb]}
  - {client_id: b, grant_types: [password], redirect_uris: [https://a.example.com/cb]}
  - {client_id: c, grant_types: [], redirect_uris: [https://a.example.com/cb]}
  - {client_id: d, redirect_uris: [https://a.example.com/cb]}
`, want: []string{`clients[0].grant_types: "refresh_token" is not enabled on this host`,
			`clients[1].grant_types: "password" is not enabled on this host`,
			"clients[2].grant_types: must list at least one grant type"}},
		{name: "client credentials and password", yaml: `
grant_types: [authorization_code, client_credentials, password]
clients:
  - {client_id: svc, client_secret_sha256: ` + secretHash + `, grant_types: [client_credentials]}
  - {client_id: legacy, client_secret_sha256: ` + secretHash + `, grant_types: [password]}
  - {client_id: pub, grant_types: [client_credentials, password]}
`, want: []string{`clients[2].grant_types: "client_credentials" is only for confidential clients`,
			`clients[2].grant_types: "password" is only for confidential clients`},
			warn: []string{"grant_types: password hands the user's password to the client"}},
		{name: "redirect uris", yaml: `
clients:
  - {client_id: a}
  - {client_id: b, redirect_uris: ["https://a.example.com/cb#frag", "/relative", "https:///nohost"]}
  - {client_id: c, grant_types: [refresh_token]}
  - {client_id: d, redirect_uris: [https://a.example.com/cb], post_logout_redirect_uris: [/bye]}
`, want: []string{"clients[0].redirect_uris: required for the authorization_code grant",
			`clients[1].redirect_uris[0]: "https://a.example.com/cb#frag" must not have a fragment`,
			`clients[1].redirect_uris[1]: "/relative" must be an absolute URI`,
			`clients[1].redirect_uris[2]: "https:///nohost" must have a host`,
			`clients[3].post_logout_redirect_uris[0]: "/bye" must be an absolute URI`}},
		{name: "client page urls and scope", yaml: `
clients:
  - client_id: a
    redirect_uris: [https://a.example.com/cb]
    client_uri: http://a.example.com
    logo_uri: https://a.example.com/logo.png
    scope: openid "quoted"
`, want: []string{`clients[0].client_uri: "http://a.example.com" must be https`,
			`clients[0].scope: "\"quoted\"" is not a scope token`}},
	})
}

func TestClientDefaults(t *testing.T) {
	s, _, err := loadYAML(t, `
grant_types: [authorization_code]
clients:
  - {client_id: pub, redirect_uris: [https://a.example.com/cb]}
  - {client_id: conf, client_secret_env: CONF_SECRET, redirect_uris: [https://a.example.com/cb]}
  - {client_id: hashed, client_secret_sha256: `+"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"+`, redirect_uris: [https://a.example.com/cb]}
`, kekEnv, "CONF_SECRET=test")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("test"))
	tests := []struct {
		name       string
		got, want  Client
		wantGrants []string
	}{
		{name: "public", got: s.Hosts[0].Clients[0], want: Client{TokenEndpointAuthMethod: "none"}},
		{name: "secret from env is hashed", got: s.Hosts[0].Clients[1],
			want: Client{TokenEndpointAuthMethod: "client_secret_basic", SecretSHA256: hex.EncodeToString(sum[:])}},
		{name: "hash is lower-cased", got: s.Hosts[0].Clients[2],
			want: Client{TokenEndpointAuthMethod: "client_secret_basic", SecretSHA256: secretHash}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.TokenEndpointAuthMethod != tt.want.TokenEndpointAuthMethod || tt.got.SecretSHA256 != tt.want.SecretSHA256 {
				t.Errorf("got method %q hash %q, want %q %q", tt.got.TokenEndpointAuthMethod, tt.got.SecretSHA256,
					tt.want.TokenEndpointAuthMethod, tt.want.SecretSHA256)
			}
			// The host allows authorization_code only, so the default [authorization_code refresh_token] narrows.
			if !slices.Equal(tt.got.GrantTypes, []string{"authorization_code"}) {
				t.Errorf("grant types %v, want [authorization_code]", tt.got.GrantTypes)
			}
		})
	}
}

func TestScopeAndRoleRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "extra scopes and retitled built-in", yaml: `
scopes:
  - {name: calendar.read, title: Read your calendar}
  - {name: "urn:example:scope", description: Something}
  - {name: email, title: Your email address}
`},
		{name: "scope names", yaml: `
scopes:
  - {title: Nameless}
  - {name: "two words", title: x}
  - {name: dup, title: x}
  - {name: dup, title: y}
  - {name: 'back\slash'}
`, want: []string{"scopes[0].name: required", `scopes[1].name: "two words" must be a scope token`,
			`scopes[3].name: "dup" is defined twice`, `scopes[4].name: "back\\slash" must be a scope token`}},
		{name: "built-in scope entry without text", yaml: "scopes: [{name: openid}]\n",
			want: []string{`scopes[0]: "openid" is built in: an entry for it can only change its title and description, and sets neither`}},
		{name: "roles", yaml: "roles: {names: [user, admin], default: admin}\n"},
		{name: "roles keep default user", yaml: "roles: {names: [admin, user]}\n"},
		{name: "default role not in names", yaml: "roles: {names: [admin, staff]}\n",
			want: []string{`roles.default: "user" is not one of roles.names`}},
		{name: "role names", yaml: `roles: {names: [user, "", user, "a b", offline_access]}`,
			want: []string{"roles.names[1]: must not be empty", `roles.names[2]: "user" is listed twice`,
				`roles.names[3]: "a b" must be a scope token`,
				`roles.names[4]: "offline_access" is a built-in scope; role names are also scopes`}},
		{name: "no roles", yaml: "roles: {names: []}\n", want: []string{"roles.names: must list at least one role"}},
	})
}
