package oauth

import (
	"net/url"
	"testing"

	"github.com/assentry/assentry/store"
)

// hostileDescription has every kind of character RFC 6749 §5.2 keeps out of error_description: a double quote,
// a backslash, a section sign, other non-ASCII, invalid UTF-8, control characters and DEL.
const hostileDescription = "say \"no\" \\ now\n\t(RFC 6749 \u00a75.2) caf\u00e9 \u202e\xff\x7f<b>end</b>\x00"

// hostileClean is hostileDescription as it may be sent.
const hostileClean = "say 'no' now (RFC 6749 5.2) caf <b>end</b>"

// TestCleanDescription: what an error_description may carry (RFC 6749 §5.2, RFC 6750 §3): a double quote
// becomes a single one, anything else outside %x20-21 / %x23-5B / %x5D-7E a space, and spaces are collapsed.
func TestCleanDescription(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "plain", in: "the code was already used", want: "the code was already used"},
		{name: "every allowed character", in: allowedDescriptionChars(), want: allowedDescriptionChars()},
		{name: "hostile", in: hostileDescription, want: hostileClean},
		{name: "only hostile", in: "\"\\\u00a7\n", want: "'"},
		{name: "empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanDescription(tt.in); got != tt.want {
				t.Fatalf("CleanDescription(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// allowedDescriptionChars is every character RFC 6749 §5.2 allows, but the space, which the cleaning collapses
// at the ends.
func allowedDescriptionChars() string {
	var b []byte
	for c := byte(0x21); c <= 0x7e; c++ {
		if c != '"' && c != '\\' {
			b = append(b, c)
		}
	}
	return string(b)
}

// TestErrorsCarryCleanDescriptions: whatever description a constructor is given (a policy's, a plugin's), the
// *Error it builds and everything written from it (the Bearer challenge, the redirect of an authorization
// error, in the query and in the fragment) keep to RFC 6749 §5.2's set; so does an *Error whose Description was
// set directly.
func TestErrorsCarryCleanDescriptions(t *testing.T) {
	built := []struct {
		name string
		err  *Error
	}{
		{"invalid_request", InvalidRequest(hostileDescription)},
		{"access_denied from a policy", AccessDenied(hostileDescription)},
		{"registration refused by a policy", RegistrationRefused("", hostileDescription)},
		{"invalid_token", InvalidToken(hostileDescription)},
		{"too many requests", TooManyRequests(hostileDescription, 0)},
	}
	for _, tt := range built {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Description != hostileClean {
				t.Fatalf("Description %q, want %q", tt.err.Description, hostileClean)
			}
		})
	}
	if got, want := InvalidToken(hostileDescription).Challenge("id.example"),
		`Bearer realm="id.example", error="invalid_token", error_description="`+hostileClean+`"`; got != want {
		t.Fatalf("challenge %q, want %q", got, want)
	}
	p := &Provider{Settings: Settings{Issuer: "https://id.example"}}
	for _, fragment := range []bool{false, true} {
		direct := &Error{Code: CodeAccessDenied, Description: hostileDescription, Status: 400}
		loc, err := url.Parse(p.ErrorLocation(&RedirectError{Err: direct, Client: &store.Client{ID: "c"},
			RedirectURI: "https://app.example/cb", State: "s", Fragment: fragment}))
		if err != nil {
			t.Fatal(err)
		}
		q := loc.Query()
		if fragment {
			q, _ = url.ParseQuery(loc.Fragment)
		}
		if q.Get("error_description") != hostileClean {
			t.Fatalf("fragment %v: error_description %q, want %q", fragment, q.Get("error_description"), hostileClean)
		}
	}
}
