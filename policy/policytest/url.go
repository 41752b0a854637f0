package policytest

import (
	"encoding/json"
	"strings"

	"github.com/assentry/assentry/policy"
)

// URLVector is one string and what assentry.url.parse (Lua), guest.ParseURL (Go) and parseURL (AssemblyScript)
// make of it: the parts as a JSON object (members of the parts the URI has: scheme, userinfo, host, port, path,
// query, fragment), or the refusal's message.
type URLVector struct {
	In    string
	Parts string // JSON object, when the string is a URI
	Err   string // the message ("url.parse: ..."), when it is not
}

// URLVectors are the url_parse scenario's strings, shared by the SDKs' own tests.
var URLVectors = []URLVector{
	{In: "https://Shop.Example.COM:8443/a/b?x=1&y=2#frag",
		Parts: `{"scheme":"https","host":"shop.example.com","port":8443,"path":"/a/b","query":"x=1&y=2","fragment":"frag"}`},
	{In: "https://example.com", Parts: `{"scheme":"https","host":"example.com"}`},
	{In: "http://[2001:DB8::1]:8080/cb", Parts: `{"scheme":"http","host":"2001:db8::1","port":8080,"path":"/cb"}`},
	{In: "https://[::1]/", Parts: `{"scheme":"https","host":"::1","path":"/"}`},
	{In: "https://example.com@evil.test/", Parts: `{"scheme":"https","userinfo":"example.com","host":"evil.test","path":"/"}`},
	{In: "https://user:pw@example.com:444/", Parts: `{"scheme":"https","userinfo":"user:pw","host":"example.com","port":444,"path":"/"}`},
	{In: "https://a@b@example.com/", Parts: `{"scheme":"https","userinfo":"a@b","host":"example.com","path":"/"}`},
	{In: "https://example.com:/x", Parts: `{"scheme":"https","host":"example.com","path":"/x"}`},
	{In: "example.com/cb", Parts: `{"path":"example.com/cb"}`},
	{In: "//example.com/cb", Parts: `{"host":"example.com","path":"/cb"}`},
	{In: "com.example.app:/callback", Parts: `{"scheme":"com.example.app","path":"/callback"}`},
	{In: "mailto:a@example.com", Parts: `{"scheme":"mailto","path":"a@example.com"}`},
	{In: "/cb?next=/a#top", Parts: `{"path":"/cb","query":"next=/a","fragment":"top"}`},
	{In: "https://ÉXAMPLE.com/", Parts: `{"scheme":"https","host":"Éxample.com","path":"/"}`},
	{In: "http://[::1/", Err: `url.parse: missing ']' in host`},
	{In: "http://[::1]x/", Err: `url.parse: unexpected "x" after the host`},
	{In: "https://example.com:http/", Err: `url.parse: invalid port "http"`},
	{In: "https://example.com:70000/", Err: `url.parse: invalid port "70000"`},
	{In: "https://example.com:0/", Err: `url.parse: invalid port "0"`},
	{In: "https://example.com:-1/", Err: `url.parse: invalid port "-1"`},
	{In: "https://exa mple.com/", Err: `url.parse: contains a space or a control character`},
	{In: "https://example.com/\n", Err: `url.parse: contains a space or a control character`},
	{In: "https:///path", Err: `url.parse: empty host`},
	{In: "https://user@:443/", Err: `url.parse: empty host`},
	{In: "", Err: `url.parse: empty`},
	{In: "://example.com", Err: `url.parse: invalid scheme ""`},
	{In: "1http://example.com", Err: `url.parse: invalid scheme "1http"`},
	{In: "https://example.com/" + strings.Repeat("a", 9000), Err: `url.parse: longer than 8192 bytes`},
}

// urlParseScenario calls a claims hook with each vector as the client's client_uri; the fixture answers the
// parts as the claim "u", or the message as the claim "err".
func urlParseScenario() Scenario {
	s := Scenario{Name: "url_parse", Hook: policy.HookClaims}
	for _, v := range URLVectors {
		uri, _ := json.Marshal(v.In)
		want := `{"claims": {"err": ` + quote(v.Err) + `}}`
		if v.Err == "" {
			want = `{"claims": {"u": ` + v.Parts + `}}`
		}
		name := v.In
		if len(name) > 40 {
			name = name[:40] + "…"
		}
		s.Cases = append(s.Cases, Case{Name: name, Want: want,
			Input: `{"user": ` + userAlice + `, "client": {"client_id": "app-1", "client_uri": ` + string(uri) + `}, "scopes": [], "target": "id_token"}`})
	}
	return s
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
