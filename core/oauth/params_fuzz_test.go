package oauth

import (
	"net/url"
	"slices"
	"testing"
)

// FuzzParseParams: a query or form is refused with invalid_request exactly when a parameter is repeated
// (RFC 6749 §3.1, §3.2), naming it in Field only, or a name or value is not UTF-8 text without NUL (Appendix A); otherwise every non-empty value is kept as sent and empty ones
// are absent, and the parameters re-encoded as a form parse to the same Params. Repeats of a multi name (the
// consent form's scope checkboxes) are joined with a space.
func FuzzParseParams(f *testing.F) {
	for _, q := range []string{
		"client_id=web&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=openid+profile&state=xyz",
		"grant_type=authorization_code&code=ac_abc&redirect_uri=https://app.example.com/cb&code_verifier=" + testChallenge,
		"scope=openid&scope=profile", "state=a&state=a", "client_id=&client_id=web", "a=&b=", "", "&&&", "=x",
		"x=%zz", "x=1;y=2", "%00=%00", "k=%E2%82%AC&K=1", "response_type=code+token&response_mode=fragment",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		values, err := url.ParseQuery(q)
		if err != nil {
			return // the HTTP layer refuses an undecodable query or form before ParseParams
		}
		for _, multi := range [][]string{nil, {"scope"}} {
			p, e := ParseParams(values, multi...)
			var repeated []string
			for k, vs := range values {
				if len(vs) > 1 && !slices.Contains(multi, k) {
					repeated = append(repeated, k)
				}
			}
			dirty := false
			for k, vs := range values {
				dirty = dirty || !cleanText(k) || slices.ContainsFunc(vs, func(v string) bool { return !cleanText(v) })
			}
			if len(repeated) > 0 || dirty {
				if e == nil {
					t.Fatalf("ParseParams(%q) accepted repeated %q or text that is not (dirty %v)", q, repeated, dirty)
				}
				wantErr(t, e, CodeInvalidRequest, 400)
				if !slices.Contains(repeated, e.Field) && (e.Field != "" || !dirty) {
					t.Fatalf("Field %q, want one of %q", e.Field, repeated)
				}
				continue
			}
			if e != nil {
				t.Fatalf("ParseParams(%q): %v", q, e)
			}
			for k, vs := range values {
				want := vs[0]
				if len(vs) > 1 {
					want = JoinScope(vs)
				}
				if got, ok := p[k]; got != want || ok != (want != "") {
					t.Fatalf("ParseParams(%q)[%q] = %q, %v; want %q", q, k, got, ok, want)
				}
			}
			form := url.Values{}
			for k, v := range p {
				form.Set(k, v)
			}
			back, e := ParseParams(mustQuery(t, form.Encode()))
			if e != nil || !mapsEqual(back, p) {
				t.Fatalf("re-encoded %q parses to %v, %v; want %v", form.Encode(), back, e, p)
			}
		}
	})
}

func mustQuery(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", q, err)
	}
	return v
}

func mapsEqual(a, b Params) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
