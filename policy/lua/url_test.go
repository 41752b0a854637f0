package lua

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/assentry/assentry/policy"
)

// assentry.url.parse splits a URL as a rule needs it, through a plugin: what the Lua code sees. (The conformance
// suite's url_parse scenario holds more vectors, shared with the SDKs.)
func TestURLParse(t *testing.T) {
	p := mustLoad(t, `return {abi = 1, claims = function(req)
		local u, err = assentry.url.parse(req.x)
		return {claims = {u = u, err = err}}
	end}`)
	tests := []struct {
		name, in string
		want     string // the claims, as JSON
	}{
		{name: "full", in: "https://Shop.Example.COM:8443/a/b?x=1&y=2#frag",
			want: `{"u":{"fragment":"frag","host":"shop.example.com","path":"/a/b","port":8443,"query":"x=1&y=2","scheme":"https"}}`},
		{name: "no port no path", in: "https://example.com", want: `{"u":{"host":"example.com","scheme":"https"}}`},
		{name: "IPv6 literal with port", in: "http://[2001:DB8::1]:8080/cb",
			want: `{"u":{"host":"2001:db8::1","path":"/cb","port":8080,"scheme":"http"}}`},
		{name: "IPv6 literal without port", in: "https://[::1]/", want: `{"u":{"host":"::1","path":"/","scheme":"https"}}`},
		{name: "userinfo is not the host", in: "https://example.com@evil.test/",
			want: `{"u":{"host":"evil.test","path":"/","scheme":"https","userinfo":"example.com"}}`},
		{name: "userinfo with a password", in: "https://user:pw@example.com:444/",
			want: `{"u":{"host":"example.com","path":"/","port":444,"scheme":"https","userinfo":"user:pw"}}`},
		{name: "no scheme", in: "example.com/cb", want: `{"u":{"path":"example.com/cb"}}`},
		{name: "network-path reference", in: "//example.com/cb", want: `{"u":{"host":"example.com","path":"/cb"}}`},
		{name: "custom scheme", in: "com.example.app:/callback", want: `{"u":{"path":"/callback","scheme":"com.example.app"}}`},
		{name: "opaque", in: "mailto:a@example.com", want: `{"u":{"path":"a@example.com","scheme":"mailto"}}`},
		{name: "garbage: unclosed IPv6", in: "http://[::1/", want: `{"err":"url.parse: missing ']' in host"}`},
		{name: "garbage: port not a number", in: "https://example.com:http/", want: `{"err":"url.parse: invalid port \"http\""}`},
		{name: "garbage: port too large", in: "https://example.com:70000/", want: `{"err":"url.parse: invalid port \"70000\""}`},
		{name: "garbage: space", in: "https://exa mple.com/", want: `{"err":"url.parse: contains a space or a control character"}`},
		{name: "garbage: empty host", in: "https:///path", want: `{"err":"url.parse: empty host"}`},
		{name: "garbage: empty", in: "", want: `{"err":"url.parse: empty"}`},
		{name: "garbage: no scheme name", in: "://example.com", want: `{"err":"url.parse: invalid scheme \"\""}`},
		{name: "garbage: too long", in: "https://example.com/" + strings.Repeat("a", 9000), want: `{"err":"url.parse: longer than 8192 bytes"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, _ := json.Marshal(tt.in)
			in := strings.Replace(claimsInput, `"target":"id_token"`, `"target":"id_token","x":`+string(x), 1)
			out, err := p.Call(context.Background(), policy.HookClaims, []byte(in))
			if want := `{"claims":` + tt.want + `}`; err != nil || string(out) != want {
				t.Errorf("%q: got (%s, %v), want %s", tt.in, out, err, want)
			}
		})
	}
	t.Run("not a string", func(t *testing.T) {
		out, err := p.Call(context.Background(), policy.HookClaims, []byte(claimsInput))
		if want := `{"claims":{"err":"url.parse: want a string, got nil"}}`; err != nil || string(out) != want {
			t.Errorf("got (%s, %v), want %s", out, err, want)
		}
	})
}
