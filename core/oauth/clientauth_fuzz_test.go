package oauth

import (
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzParseBasicAuth checks RFC 6749 §2.3.1's encoding both ways. A header that parses has the Basic scheme
// and a non-empty id, and the id and secret, form-encoded and joined again, make a header that parses to the same
// values. And any non-empty id with any secret, encoded as a client does (basicHeader), parses back to itself:
// an id or secret with ':', '%', '+', spaces or arbitrary bytes survives.
func FuzzParseBasicAuth(f *testing.F) {
	for _, c := range [][3]string{
		{basicHeader("web", "web-secret"), "web", "web-secret"},
		{basicHeader("odd:id%2B+x", "s:e%c+r et"), "odd:id%2B+x", "s:e%c+r et"},
		{"basic " + base64.StdEncoding.EncodeToString([]byte("a:b")), "a", ""},
		{"BASIC    " + base64.StdEncoding.EncodeToString([]byte("a%3Ab:c%3")), "\x00", "\xff"},
		{"Basic " + base64.StdEncoding.EncodeToString([]byte(":secret")), "eyJhbGciOiJIUzI1NiJ9.e30.sig", "é"},
		{"Basic YTpi", "", "x"}, {"Bearer YTpi", "a b", "+"}, {"Basic", "%", "%zz"}, {"Basic YQ==", "a", "b"},
		{"Basic YTpi=", "id", ""}, {"Basic " + base64.RawStdEncoding.EncodeToString([]byte("a:b")), "id", "s"},
	} {
		f.Add(c[0], c[1], c[2])
	}
	f.Fuzz(func(t *testing.T, header, id, secret string) {
		if gotID, gotSecret, ok := ParseBasicAuth(header); ok {
			scheme, _, _ := strings.Cut(header, " ")
			if !strings.EqualFold(scheme, "Basic") || gotID == "" {
				t.Fatalf("ParseBasicAuth(%q) accepted scheme %q, id %q", header, scheme, gotID)
			}
			again := basicHeader(gotID, gotSecret)
			if id2, secret2, ok := ParseBasicAuth(again); !ok || id2 != gotID || secret2 != gotSecret {
				t.Fatalf("%q parsed to (%q, %q); re-encoded as %q it parses to (%q, %q, %v)",
					header, gotID, gotSecret, again, id2, secret2, ok)
			}
		}
		if id == "" {
			return
		}
		h := basicHeader(id, secret)
		gotID, gotSecret, ok := ParseBasicAuth(h)
		if !cleanText(id) || !cleanText(secret) {
			if ok {
				t.Fatalf("basicHeader(%q, %q) = %q accepted: not UTF-8 text without NUL", id, secret, h)
			}
			return
		}
		if !ok || gotID != id || gotSecret != secret {
			t.Fatalf("basicHeader(%q, %q) = %q parses to (%q, %q, %v)", id, secret, h, gotID, gotSecret, ok)
		}
		// The encoded halves contain no ':', so the split at the first one is the right one.
		if raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic ")); strings.Count(string(raw), ":") != 1 {
			t.Fatalf("%q: the form-encoded id and secret contain a ':'", raw)
		}
	})
}
