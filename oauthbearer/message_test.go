package oauthbearer

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const tok = "at_vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg"

func TestParseInitialResponse(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want InitialResponse
	}{
		{"minimal", "n,,\x01auth=Bearer " + tok + "\x01\x01", InitialResponse{Token: tok}},
		// RFC 7628 §4.1's example, with its host and port.
		{"rfc example", "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
			InitialResponse{Authzid: "user@example.com", Host: "server.example.com", Port: 143, Token: "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="}},
		{"escaped authzid", "n,a=a=2Cb=3Dc,\x01auth=Bearer " + tok + "\x01\x01", InitialResponse{Authzid: "a,b=c", Token: tok}},
		{"utf-8 authzid", "n,a=jürgen@example.net,\x01auth=Bearer " + tok + "\x01\x01", InitialResponse{Authzid: "jürgen@example.net", Token: tok}},
		{"y flag", "y,,\x01auth=Bearer " + tok + "\x01\x01", InitialResponse{Token: tok}},
		{"scheme case-insensitive, several spaces", "n,,\x01auth=bEaReR   " + tok + "\x01\x01", InitialResponse{Token: tok}},
		{"unknown keys ignored", "n,,\x01mfa=otp 123\x01auth=Bearer " + tok + "\x01qs=a=b\tc\x01\x01", InitialResponse{Token: tok}},
		{"empty host value", "n,,\x01host=\x01auth=Bearer " + tok + "\x01\x01", InitialResponse{Token: tok}},
		{"port 65535", "n,,\x01port=65535\x01auth=Bearer " + tok + "\x01\x01", InitialResponse{Port: 65535, Token: tok}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseInitialResponse([]byte(tt.msg))
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestParseInitialResponseErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want string // in the error
	}{
		{"empty", "", "the message is empty"},
		{"lone kvsep", "\x01", "only the client's answer to a failure"},
		{"no gs2 header", "auth=Bearer " + tok + "\x01\x01", "must start with the GS2 header"},
		{"channel binding", "p=tls-unique,,\x01auth=Bearer " + tok + "\x01\x01", "channel binding"},
		{"nonstandard flag", "F,n,,\x01auth=Bearer " + tok + "\x01\x01", "non-standard flag F"},
		{"no comma after flag", "n\x01auth=Bearer " + tok + "\x01\x01", "must start with the GS2 header"},
		{"gs2 header unterminated", "n,a=alice\x01auth=Bearer " + tok + "\x01\x01", "authzid is not followed by"},
		{"other gs2 attribute", "n,x=1,\x01auth=Bearer " + tok + "\x01\x01", "must end with \",\""},
		{"empty authzid", "n,a=,\x01auth=Bearer " + tok + "\x01\x01", "authzid a= is empty"},
		{"bad escape", "n,a=a=2Db,\x01auth=Bearer " + tok + "\x01\x01", "not followed by 2C or 3D"},
		{"lowercase escape", "n,a=a=2cb,\x01auth=Bearer " + tok + "\x01\x01", "not followed by 2C or 3D"},
		{"nul in authzid", "n,a=a\x00b,\x01auth=Bearer " + tok + "\x01\x01", "NUL"},
		{"invalid utf-8 authzid", "n,a=\xff,\x01auth=Bearer " + tok + "\x01\x01", "UTF-8"},
		{"no kvsep after header", "n,,auth=Bearer " + tok + "\x01\x01", "followed by %x01"},
		{"no final kvsep", "n,,\x01auth=Bearer " + tok + "\x01", "must end with %x01%x01"},
		{"unterminated pair", "n,,\x01auth=Bearer " + tok, "must end with %x01%x01"},
		{"trailing bytes", "n,,\x01auth=Bearer " + tok + "\x01\x01x", "follow the final %x01"},
		{"no auth", "n,,\x01host=example.com\x01\x01", "no auth pair"},
		{"auth twice", "n,,\x01auth=Bearer " + tok + "\x01auth=Bearer " + tok + "\x01\x01", "\"auth\" appears twice"},
		{"host twice", "n,,\x01host=a\x01host=b\x01auth=Bearer " + tok + "\x01\x01", "\"host\" appears twice"},
		{"pair without =", "n,,\x01auth\x01\x01", "has no \"=\""},
		{"empty key", "n,,\x01=x\x01auth=Bearer " + tok + "\x01\x01", "empty key"},
		{"digit in key", "n,,\x01k2=x\x01auth=Bearer " + tok + "\x01\x01", "other than ALPHA"},
		{"control in value", "n,,\x01host=a\x00b\x01auth=Bearer " + tok + "\x01\x01", "byte 0x00"},
		{"non-ascii value", "n,,\x01host=é\x01auth=Bearer " + tok + "\x01\x01", "byte 0xc3"},
		{"basic scheme", "n,,\x01auth=Basic YWxpY2U6cHc=\x01\x01", "must be \"Bearer <token>\""},
		{"no token", "n,,\x01auth=Bearer \x01\x01", "no token after"},
		{"bearer without space", "n,,\x01auth=Bearer\x01\x01", "must be \"Bearer <token>\""},
		{"token with space", "n,,\x01auth=Bearer a b\x01\x01", "not a b64token"},
		{"token all padding", "n,,\x01auth=Bearer ==\x01\x01", "not a b64token"},
		{"padding inside token", "n,,\x01auth=Bearer a=b\x01\x01", "not a b64token"},
		{"port zero", "n,,\x01port=0\x01auth=Bearer " + tok + "\x01\x01", "positive decimal"},
		{"port leading zero", "n,,\x01port=0143\x01auth=Bearer " + tok + "\x01\x01", "positive decimal"},
		{"port not a number", "n,,\x01port=imap\x01auth=Bearer " + tok + "\x01\x01", "positive decimal"},
		{"port too big", "n,,\x01port=65536\x01auth=Bearer " + tok + "\x01\x01", "above 65535"},
		{"too long", "n,,\x01auth=Bearer " + strings.Repeat("a", maxResponse) + "\x01\x01", "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseInitialResponse([]byte(tt.msg))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *SyntaxError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tok) {
				t.Errorf("error %q quotes the token", err)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, r := range []InitialResponse{
		{Token: tok},
		{Authzid: "a,b=c@example.net", Host: "imap.example.net", Port: 993, Token: tok + "=="},
	} {
		got, err := ParseInitialResponse(r.Marshal())
		if err != nil {
			t.Fatalf("%q: %v", r.Marshal(), err)
		}
		if !reflect.DeepEqual(*got, r) {
			t.Errorf("round trip: got %+v, want %+v", *got, r)
		}
	}
	want := "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"
	r := InitialResponse{Authzid: "user@example.com", Host: "server.example.com", Port: 143, Token: "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="}
	if got := string(r.Marshal()); got != want {
		t.Errorf("Marshal: got %q, want RFC 7628 §4.1's %q", got, want)
	}
}

// FuzzParseInitialResponse: the parser never panics, what it accepts marshals back to what parses the same, and
// an error never quotes the token it could read.
func FuzzParseInitialResponse(f *testing.F) {
	for _, s := range []string{
		"n,,\x01auth=Bearer " + tok + "\x01\x01",
		"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
		"y,a=a=2Cb=3D,\x01x=\x01auth=bearer  abc+/~.-_==\x01\x01",
		"\x01", "n,,\x01\x01", "p=x,,\x01auth=Bearer a\x01\x01", "n,,\x01port=01\x01auth=Bearer a\x01\x01",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		r, err := ParseInitialResponse(msg)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			return
		}
		if r.Token == "" {
			t.Fatalf("accepted %q without a token", msg)
		}
		again, err := ParseInitialResponse(r.Marshal())
		if err != nil {
			t.Fatalf("%q parsed, but its Marshal %q does not: %v", msg, r.Marshal(), err)
		}
		if *again != *r {
			t.Fatalf("%q: round trip %+v != %+v", msg, *again, *r)
		}
	})
}
