package httpapi

import (
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// FuzzFormParams sends form bodies, as the token, revocation and introspection endpoints get them, to a real
// fiber app whose handler keeps what formParams returned. A body is refused with invalid_request when its
// Content-Type is not the form media type, when it does not decode or repeats a parameter, and otherwise only
// when the Content-Type itself is malformed (a broken or repeated media parameter); an accepted body's kept
// Params are its decoded parameters. They are checked after a second request of the same length has gone
// through the same app, so a value that still pointed into fiber's reused request buffers would show up changed.
func FuzzFormParams(f *testing.F) {
	for _, c := range [][2]string{
		{"application/x-www-form-urlencoded", "grant_type=authorization_code&code=ac_abc&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb"},
		{"application/x-www-form-urlencoded; charset=UTF-8", "grant_type=client_credentials&scope=api+metrics"},
		{"Application/X-WWW-Form-Urlencoded", "client_id=a&client_id=b"}, {"application/x-www-form-urlencoded", "a=%zz"},
		{"application/x-www-form-urlencoded", "token=at_x;token_type_hint=access_token"}, {"application/x-www-form-urlencoded", ""},
		{"application/json", `{"grant_type":"client_credentials"}`}, {"", "grant_type=password"},
		{"application/x-www-form-urlencoded;", "k=%00%ff&=v&k2="}, {"multipart/form-data; boundary=x", "--x--"},
		{"application/x-www-form-urlencoded; a=b; a=c", "a=b"}, {" application/x-www-form-urlencoded ; a", "a=b"},
	} {
		f.Add(c[0], c[1])
	}
	var kept oauth.Params
	var keptErr *oauth.Error
	app := fiber.New()
	app.Post("/form", func(c *fiber.Ctx) error {
		kept, keptErr = formParams(c)
		return c.SendStatus(fiber.StatusNoContent)
	})
	// send reports whether the request reached the handler: fasthttp itself answers 400 to a multipart body
	// it cannot read, and to a header value with control characters (a form feed, say), before any handler runs.
	send := func(t *testing.T, contentType, body string) bool {
		req := httptest.NewRequest(http.MethodPost, "/form", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		res, err := app.Test(req, -1)
		if err != nil && (strings.Contains(strings.ToLower(contentType), "multipart/") ||
			strings.Contains(err.Error(), "error when reading request headers")) {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return true
	}
	f.Fuzz(func(t *testing.T, contentType, body string) {
		if strings.ContainsAny(contentType, "\r\n\x00") {
			return // not a header value a client can send
		}
		kept, keptErr = nil, nil
		if !send(t, contentType, body) {
			return
		}
		got, gotErr := kept, keptErr
		send(t, "application/x-www-form-urlencoded", strings.Repeat("Z", len(body)))
		values, err := url.ParseQuery(body)
		want, wantErr := oauth.ParseParams(values)
		switch {
		case got == nil && gotErr == nil:
			t.Fatalf("Content-Type %q, body %q: the handler did not run", contentType, body)
		case gotErr != nil:
			if gotErr.Code != oauth.CodeInvalidRequest || gotErr.Status != fiber.StatusBadRequest {
				t.Fatalf("body %q: %v", body, gotErr)
			}
			// A Content-Type that mime cannot parse (a duplicate or broken parameter) may be refused.
			if _, _, mimeErr := mime.ParseMediaType(contentType); isForm(contentType) && mimeErr == nil && err == nil && wantErr == nil {
				t.Fatalf("Content-Type %q, body %q: refused with %v", contentType, body, gotErr)
			}
		case !isForm(contentType) || err != nil || wantErr != nil:
			t.Fatalf("Content-Type %q, body %q: accepted as %v", contentType, body, got)
		case !maps.Equal(got, want):
			t.Fatalf("body %q: kept %q, want %q", body, got, want)
		}
	})
}

// isForm reports whether a Content-Type names the form media type, whatever its case and parameters.
func isForm(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded")
}
