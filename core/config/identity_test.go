package config

import "testing"

func TestIdentityRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "https issuer", yaml: "issuer: https://auth.example.com/\n"},
		{name: "loopback http issuers", yaml: `
hosts:
  - {id: a, issuer: "http://localhost:9000"}
  - {id: b, issuer: "http://127.0.0.5"}
  - {id: c, issuer: "http://[::1]:8080"}
`},
		{name: "non-loopback http issuer refused", yaml: "issuer: http://auth.example.com\n",
			want: []string{"issuer: must be https unless allow_insecure_issuer is set"}},
		{name: "non-loopback http issuer allowed", yaml: "issuer: http://auth.example.com\nallow_insecure_issuer: true\n"},
		{name: "insecure issuer of a second host", yaml: `
hosts:
  - {id: a, issuer: "https://a.example.com"}
  - {id: b, issuer: "http://b.example.com"}
`, want: []string{"hosts[1].issuer: must be https unless allow_insecure_issuer is set"}},
		{name: "issuer with a path", yaml: "issuer: https://example.com/auth\n", want: []string{`issuer: must not have a path ("/auth")`}},
		{name: "issuer with a query", yaml: "issuer: https://example.com/?a=b\n", want: []string{"issuer: must not have a query"}},
		{name: "issuer with a fragment", yaml: "issuer: https://example.com/#top\n", want: []string{"issuer: must not have a fragment"}},
		{name: "issuer with userinfo", yaml: "issuer: https://me@example.com\n", want: []string{"issuer: must not contain userinfo"}},
		{name: "relative issuer", yaml: "issuer: auth.example.com\n", want: []string{`issuer: "auth.example.com" must be an absolute http(s) URL`}},
		{name: "issuer of another scheme", yaml: "issuer: ftp://example.com\n", want: []string{"must be an absolute http(s) URL"}},
		{name: "listen without port", yaml: "listen: 127.0.0.1\n", want: []string{`listen: "127.0.0.1" must be host:port`}},
		{name: "listen on all interfaces", yaml: "listen: \":8443\"\n"},
		{name: "listen with a named port", yaml: "listen: localhost:http\n", want: []string{`listen: invalid port "http"`}},
		{name: "log level", yaml: "log_level: verbose\n", want: []string{`log_level: "verbose" must be one of debug, info, warn, error`}},
		{name: "log level debug", yaml: "log_level: debug\n"},
		{name: "trusted proxies", yaml: `trusted_proxies: [10.0.0.0/8, 192.168.1.1, "::1", "fd00::/8", bogus]`,
			want: []string{`trusted_proxies[4]: "bogus" must be an IP address or a CIDR prefix`}},
		{name: "host id shape", yaml: "id: Main_Host\n", want: []string{`id: "Main_Host" must be 1–32 lower-case letters`}},
		{name: "host id too long", yaml: "id: abcdefghijabcdefghijabcdefghijabc\n", want: []string{"id: "}},
		{name: "host id ok", yaml: "id: main-1\n"},
		{name: "host id required with hosts", yaml: "hosts:\n  - issuer: https://a.example.com\n",
			want: []string{"hosts[0].id: required"}},
		{name: "host ids unique", yaml: `
hosts:
  - {id: a, issuer: "https://a.example.com"}
  - {id: a, issuer: "https://b.example.com"}
`, want: []string{`hosts[1].id: "a" is already the id of hosts[0]`}},
		{name: "top-level id and hostnames unused with hosts", yaml: `
id: main
hostnames: [a.example.com]
hosts:
  - {id: a, issuer: "https://a.example.com"}
`, want: []string{"id: set each host's id under hosts", "hostnames: set each host's hostnames under hosts"}},
		{name: "issuers unique", yaml: `
hosts:
  - {id: a, issuer: "https://a.example.com"}
  - {id: b, issuer: "https://a.example.com/"}
`, want: []string{`hosts[1].issuer: "https://a.example.com" is already the issuer of hosts[0]`}},
		{name: "hostnames unique across hosts", yaml: `
hosts:
  - {id: a, issuer: "https://a.example.com", hostnames: [login.example.com]}
  - {id: b, issuer: "https://b.example.com", hostnames: ["LOGIN.example.com:443"]}
`, want: []string{`hosts[1].hostnames[0]: "login.example.com" is already served by hosts[0]`}},
		{name: "hostname clashing with another host's issuer", yaml: `
hosts:
  - {id: a, issuer: "https://a.example.com"}
  - {id: b, issuer: "https://b.example.com", hostnames: [a.example.com]}
`, want: []string{`hosts[1].hostnames[0]: "a.example.com" is already served by hosts[0]`}},
		{name: "hostname shapes", yaml: `
issuer: https://a.example.com
hostnames: [a.example.com, "https://b.example.com", "c.example.com:99999", "::1", b.example.com, B.example.com]
`, want: []string{
			`hostnames[1]: "https://b.example.com" must be a host name`,
			`hostnames[2]: "c.example.com:99999" invalid port`,
			`hostnames[3]: "::1" an IPv6 address must be in brackets`,
			`hostnames[5]: "b.example.com" is listed twice`,
		}},
		{name: "site name and theme pass through", yaml: "site_name: Example\ntheme: ./theme\n"},
		{name: "terms and policy urls", yaml: `
terms_url: http://example.com/terms
policy_url: ftp://example.com/policy
`, want: []string{`terms_url: "http://example.com/terms" must be https (http only on loopback)`,
			`policy_url: "ftp://example.com/policy" must be an absolute https URL`}},
		{name: "terms url on loopback", yaml: "terms_url: http://localhost:8080/terms\n"},
		{name: "security policy is one line", yaml: "security_policy: \"default-src 'self'\\nX-Evil: 1\"\n",
			want: []string{"security_policy: must be a single line"}},
		{name: "cors origins", yaml: `cors_origins: ["https://app.example.com", "http://localhost:3000", "https://x.example.com/", "https://app.example.com:443"]`,
			want: []string{`cors_origins[2]: "https://x.example.com/" must be an origin`,
				`cors_origins[3]: "https://app.example.com" is listed twice`}},
		{name: "cors wildcard alone", yaml: `cors_origins: ["*"]`},
		{name: "cors wildcard with others", yaml: `cors_origins: ["*", "https://a.example.com"]`,
			want: []string{`cors_origins[0]: "*" allows every origin and must be the only entry`}},
		{name: "key encryption key missing", noKEK: true,
			warn: []string{"key_encryption_key: running without key_encryption_key: signing keys are stored unencrypted"}},
		{name: "key encryption key url-safe unpadded", noKEK: true,
			yaml: "key_encryption_key: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n"},
		{name: "key encryption key too short", noKEK: true, yaml: "key_encryption_key: AAECAwQFBgcICQoLDA0ODw==\n",
			want: []string{"key_encryption_key: decodes to 16 bytes, want 32"}},
		{name: "key encryption key not base64", noKEK: true, yaml: "key_encryption_key: not*base64!\n",
			want: []string{"key_encryption_key: must be 32 bytes in base64"}},
	})
}
