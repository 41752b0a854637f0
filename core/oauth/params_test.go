package oauth

import (
	"encoding/base64"
	"net/url"
	"testing"
)

// TestParamsNotText: a parameter name or value that is not UTF-8 or holds a NUL is invalid_request before any
// parameter is read (RFC 6749 Appendix A): no client means one, and the PostgreSQL store could not keep or look
// it up (it answered 500). The same in HTTP Basic credentials makes them unreadable (invalid_client).
func TestParamsNotText(t *testing.T) {
	for _, raw := range []string{"client_id=%FF", "client_id=a%00b", "state=%00", "login_hint=%C3%28", "a%00=1",
		"resource=https://api.example/&resource=%FF"} {
		v, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, e := ParseParams(v); e == nil || e.Code != CodeInvalidRequest {
			t.Errorf("ParseParams(%s) = %v, want invalid_request", raw, e)
		}
	}
	if _, e := ParseParams(url.Values{"login_hint": {"jürgen@example.net"}, "state": {"a\tb"}}); e != nil {
		t.Errorf("UTF-8 text refused: %v", e)
	}
	for _, cred := range []string{"a%00:s", "%FF:s", "a:s%00"} {
		h := "Basic " + base64.StdEncoding.EncodeToString([]byte(cred))
		if _, _, ok := ParseBasicAuth(h); ok {
			t.Errorf("ParseBasicAuth(%q) accepted", cred)
		}
	}
}
