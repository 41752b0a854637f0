package oauth

import (
	"slices"
	"strings"
	"testing"
)

// FuzzParseScope: ParseScope accepts exactly the strings made of spaces and RFC 6749 §3.3 scope-token
// characters (%x21 / %x23-5B / %x5D-7E), returns their tokens in order, and its output re-serialised with
// JoinScope parses to the same tokens. A refusal is invalid_scope with a description that is safe to send.
func FuzzParseScope(f *testing.F) {
	for _, s := range []string{"openid profile email", "", " ", "  openid   offline_access  ", "openid openid",
		"!#$[]^~", `a"b`, `a\b`, "openid\tprofile", "openid\nprofile", "openid\x00", "profil\u00e9", "\xff",
		"urn:example:scope/read?x=1", strings.Repeat("s ", 64)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		scopes, e := ParseScope(s)
		wellFormed := true
		for i := 0; i < len(s); i++ {
			b := s[i]
			if b != ' ' && (b < 0x21 || b > 0x7e || b == '"' || b == '\\') {
				wellFormed = false
			}
		}
		if !wellFormed {
			if e == nil {
				t.Fatalf("ParseScope(%q) = %q, want invalid_scope", s, scopes)
			}
			wantErr(t, e, CodeInvalidScope, 400)
			return
		}
		if e != nil {
			t.Fatalf("ParseScope(%q): %v", s, e)
		}
		// Only ASCII spaces separate tokens in a well-formed string, so strings.Fields is the reference.
		if want := strings.Fields(s); !slices.Equal(scopes, want) {
			t.Fatalf("ParseScope(%q) = %q, want %q", s, scopes, want)
		}
		again, e := ParseScope(JoinScope(scopes))
		if e != nil || !slices.Equal(again, scopes) {
			t.Fatalf("JoinScope(%q) parses to %q, %v", scopes, again, e)
		}
	})
}
