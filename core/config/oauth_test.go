package config

import (
	"strings"
	"testing"
	"time"
)

func TestTokenRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "lifetimes", yaml: "access_token_ttl: 15m\nrefresh_token_ttl: 720h\nid_token_ttl: 5m\ncode_ttl: 30s\nsession_ttl: 0s\n"},
		{name: "lifetimes must be positive", yaml: `
access_token_ttl: 0s
refresh_token_ttl: -1h
id_token_ttl: 0s
code_ttl: -5s
key_rotation_interval: 0s
`, want: []string{"access_token_ttl: must be positive, got 0s", "refresh_token_ttl: must be positive, got -1h0m0s",
			"id_token_ttl: must be positive", "code_ttl: must be positive", "key_rotation_interval: must be positive"}},
		{name: "key publish ahead", yaml: "key_publish_ahead: 30s\nkey_rotation_interval: 1h\n"},
		{name: "key publish ahead too short", yaml: "key_publish_ahead: 3s\n",
			want: []string{"key_publish_ahead: 3s is shorter than 4s"}},
		{name: "key publish ahead not below rotation", yaml: "key_publish_ahead: 2h\nkey_rotation_interval: 2h\n",
			want: []string{"key_publish_ahead: 2h0m0s must be shorter than key_rotation_interval (2h0m0s)"}},
		{name: "key publish ahead must be positive", yaml: "key_publish_ahead: 0s\n",
			want: []string{"key_publish_ahead: must be positive"}},
		{name: "negative session ttl", yaml: "session_ttl: -1s\n", want: []string{"session_ttl: must not be negative"}},
		{name: "long code ttl", yaml: "code_ttl: 15m\n", warn: []string{"code_ttl: 15m0s is longer than the 10 minutes"}},
		{name: "reuse grace", yaml: "refresh_token_reuse_grace: 10s\n"},
		{name: "negative reuse grace", yaml: "refresh_token_reuse_grace: -1s\n",
			want: []string{"refresh_token_reuse_grace: must not be negative"}},
		{name: "reuse grace not below refresh ttl", yaml: "refresh_token_ttl: 1h\nrefresh_token_reuse_grace: 1h\n",
			want: []string{"refresh_token_reuse_grace: 1h0m0s must be shorter than refresh_token_ttl (1h0m0s)"}},
		{name: "signing algs", yaml: "id_token_signing_alg: EdDSA\nsubject_format: xmpp\n"},
		{name: "bad signing alg", yaml: "id_token_signing_alg: HS256\n",
			want: []string{`id_token_signing_alg: "HS256" must be one of RS256, ES256, EdDSA`}},
		{name: "bad subject format", yaml: "subject_format: email\n", want: []string{`subject_format: "email" must be opaque or xmpp`}},
	})
}

func TestRegistrationRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "on with a long key", yaml: "registration: {key: 0123456789abcdef0123456789abcdef, algorithm: HS512, ttl: 24h}\n"},
		{name: "short key is a warning", yaml: "registration: {key: secret}\n",
			warn: []string{"registration.key: is 6 bytes; use at least 32 random bytes"}},
		{name: "unknown algorithm", yaml: "registration: {algorithm: RS256}\n",
			want: []string{`registration.algorithm: "RS256" must be one of HS256, HS384, HS512`}},
		{name: "negative ttl", yaml: "registration: {ttl: -1h}\n", want: []string{"registration.ttl: must not be negative"}},
		{name: "initial access token without key", yaml: "registration: {initial_access_token: abc}\n",
			warn: []string{"registration.initial_access_token: is set but registration is off"}},
	})
}

func TestProtocolRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "served grants", yaml: "grant_types: [authorization_code, refresh_token]\n"},
		{name: "code only", yaml: "grant_types: [authorization_code]\n"},
		{name: "device grant by mod_http_oauth2's name", yaml: "grant_types: [authorization_code, device_code]\n"},
		{name: "device grant by both names", yaml: `grant_types: [authorization_code, device_code, "urn:ietf:params:oauth:grant-type:device_code"]`,
			want: []string{`grant_types: "urn:ietf:params:oauth:grant-type:device_code" is listed twice`}},
		{name: "implicit serves the token response type, with a warning", yaml: `grant_types: [authorization_code, implicit]`,
			warn: []string{"grant_types: implicit puts access tokens in the browser's URL; RFC 9700 §2.1.2 says clients SHOULD NOT use it: prefer authorization_code with PKCE"}},
		{name: "implicit without its response type", yaml: "grant_types: [authorization_code, implicit]\nresponse_types: [code]\n",
			want: []string{"response_types: must include token while grant_types has implicit"},
			warn: []string{"grant_types: implicit puts access tokens"}},
		{name: "client credentials served", yaml: "grant_types: [authorization_code, refresh_token, client_credentials]\n"},
		{name: "client credentials alone", yaml: "grant_types: [client_credentials]\nresponse_types: []\n"},
		{name: "password served with a warning", yaml: "grant_types: [authorization_code, password]\n",
			warn: []string{"grant_types: password hands the user's password to the client; RFC 9700 §2.4 says it MUST NOT be used"}},
		{name: "unknown grant", yaml: "grant_types: [authorization_code, authorisation_code]\n",
			want: []string{`grant_types: unknown grant type "authorisation_code" (served: authorization_code, refresh_token, device_code, client_credentials, password, implicit)`}},
		{name: "grant listed twice", yaml: "grant_types: [authorization_code, authorization_code]\n",
			want: []string{`grant_types: "authorization_code" is listed twice`}},
		{name: "no grants", yaml: "grant_types: []\n", want: []string{"grant_types: must list at least one grant type"}},
		{name: "refresh without code", yaml: "grant_types: [refresh_token]\n",
			want: []string{"grant_types: must include authorization_code while response_types has code"}},
		{name: "token without the implicit grant; hybrid types not served", yaml: "response_types: [code, token, id_token token]\n",
			want: []string{`grant_types: must include implicit while response_types has token`,
				`response_types: "id_token token" is not served by this version`}},
		{name: "unknown response type", yaml: "response_types: [code, codes]\n",
			want: []string{`response_types: unknown response type "codes"`}},
		{name: "no code response", yaml: "response_types: []\n",
			want: []string{"response_types: must include code while grant_types has authorization_code"}},
		{name: "pkce plain allowed with a warning", yaml: "code_challenge_methods: [S256, plain]\n",
			warn: []string{"code_challenge_methods: plain does not protect"}},
		{name: "unknown pkce method", yaml: "code_challenge_methods: [S512]\n",
			want: []string{`code_challenge_methods: unknown method "S512"`,
				"code_challenge_methods: must list at least one method while require_code_challenge is true"},
			warn: []string{"code_challenge_methods: without S256"}},
		// oob_require_pkce: legacy clients lose the out-of-band redirect's PKCE exemption.
		{name: "oob pkce for legacy clients", yaml: "oob_require_pkce: true\nregistration: {key: 0123456789abcdef0123456789abcdef}\n"},
		{name: "oob pkce by the environment", yaml: "registration: {key: 0123456789abcdef0123456789abcdef}\n",
			env: []string{"ASSENTRY_OOB_REQUIRE_PKCE=true"}},
		{name: "oob pkce without registration", yaml: "oob_require_pkce: true\n",
			warn: []string{"oob_require_pkce: has no effect while registration is off"}},
		{name: "oob pkce needs S256", yaml: "oob_require_pkce: true\nregistration: {key: 0123456789abcdef0123456789abcdef}\n" +
			"code_challenge_methods: [plain]\n",
			want: []string{"code_challenge_methods: must include S256 while oob_require_pkce is true"},
			warn: []string{"code_challenge_methods: plain does not protect"}},
		{name: "oob pkce not a bool", yaml: "oob_require_pkce: sometimes\n",
			want: []string{`oob_require_pkce: want true or false, got "sometimes"`}},
		{name: "pkce optional", yaml: "require_code_challenge: false\ncode_challenge_methods: []\n",
			warn: []string{"code_challenge_methods: without S256, clients registered with Assentry cannot use the out-of-band redirect"}},
		{name: "pkce required needs a method", yaml: "code_challenge_methods: []\n",
			want: []string{"code_challenge_methods: must list at least one method"},
			warn: []string{"code_challenge_methods: without S256"}},
	})
}

// TestOOBRequirePKCE: oob_require_pkce defaults to false (clients registered with mod_http_oauth2 keep the
// out-of-band redirect without PKCE), is set per host and inherited by hosts that do not set it.
func TestOOBRequirePKCE(t *testing.T) {
	const key = "registration: {key: 0123456789abcdef0123456789abcdef}\n"
	s, _, err := loadYAML(t, key, kekEnv)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, s.Hosts[0].OOBRequirePKCE, false)

	s, _, err = loadYAML(t, key+"oob_require_pkce: true\n", kekEnv)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, s.Hosts[0].OOBRequirePKCE, true)

	s, _, err = loadYAML(t, key+`oob_require_pkce: true
hosts:
  - {id: a, issuer: "https://a.example.net"}
  - {id: b, issuer: "https://b.example.net", oob_require_pkce: false}
`, kekEnv)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, s.Hosts[0].OOBRequirePKCE, true)
	eq(t, s.Hosts[1].OOBRequirePKCE, false)
}

// TestPushedRequestSettings: pushed_request_ttl defaults to a minute, must be positive and warns beyond ten;
// require_pushed_authorization_requests defaults to false, is set per host and inherited; a client of the file
// may require pushed requests on its own.
func TestPushedRequestSettings(t *testing.T) {
	s, _, err := loadYAML(t, "", kekEnv)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, s.Hosts[0].PushedRequestTTL, time.Minute)
	eq(t, s.Hosts[0].RequirePushedAuthorizationRequests, false)

	s, _, err = loadYAML(t, `pushed_request_ttl: 30s
require_pushed_authorization_requests: true
hosts:
  - {id: a, issuer: "https://a.example.net"}
  - id: b
    issuer: "https://b.example.net"
    require_pushed_authorization_requests: false
    clients:
      - {client_id: strict, client_name: Strict, redirect_uris: ["https://s.example.net/cb"], require_pushed_authorization_requests: true}
`, kekEnv)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, s.Hosts[0].PushedRequestTTL, 30*time.Second)
	eq(t, s.Hosts[0].RequirePushedAuthorizationRequests, true)
	eq(t, s.Hosts[1].RequirePushedAuthorizationRequests, false)
	eq(t, s.Hosts[1].Clients[0].RequirePushedAuthorizationRequests, true)

	if _, _, err := loadYAML(t, "pushed_request_ttl: 0s\n", kekEnv); err == nil || !strings.Contains(err.Error(), "pushed_request_ttl: must be positive") {
		t.Fatalf("pushed_request_ttl: 0s: %v", err)
	}
	_, warns, err := loadYAML(t, "pushed_request_ttl: 1h\n", kekEnv)
	if err != nil || len(warns) != 1 || warns[0].Path != "pushed_request_ttl" {
		t.Fatalf("pushed_request_ttl: 1h: %v %v", warns, err)
	}
}
