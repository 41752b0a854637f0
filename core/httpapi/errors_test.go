package httpapi

import (
	"errors"
	"fmt"
	"github.com/assentry/assentry/internal/testlog"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
	"github.com/gofiber/fiber/v2"
)

// TestWriteError: what the one writer sends for each kind of error a JSON endpoint returns: the status, the
// body, Cache-Control, the challenge and Retry-After; that a server failure's cause is logged with the request id
// and never sent; and that errors that are not *oauth.Error (fiber's, or a bare failure) take the same path.
func TestWriteError(t *testing.T) {
	const cause = "secret cause: disk on fire"
	closed := fmt.Errorf("tokens.Get: %w", store.ErrClosed)
	tests := []struct {
		name       string
		err        error
		status     int
		body       string // exact, or "" to check generic (server failure) JSON
		code       string
		challenge  string
		retryAfter string
		logged     string // in the log with the request id, never in the body
	}{
		{name: "oauth error", err: oauth.InvalidGrant("the code was already used"), status: 400,
			body: `{"error":"invalid_grant","error_description":"the code was already used"}`},
		{name: "no token: bare challenge, no error information", err: oauth.MissingToken(), status: 401,
			body: "Unauthorized", challenge: `Bearer realm="id.example"`},
		{name: "invalid token", err: oauth.InvalidToken("expired"), status: 401,
			body:      `{"error":"invalid_token","error_description":"expired"}`,
			challenge: `Bearer realm="id.example", error="invalid_token", error_description="expired"`},
		{name: "insufficient scope", err: oauth.InsufficientScope("needs openid"), status: 403,
			body:      `{"error":"insufficient_scope","error_description":"needs openid"}`,
			challenge: `Bearer realm="id.example", error="insufficient_scope", error_description="needs openid"`},
		{name: "initial access token", err: oauth.InvalidInitialAccessToken("needed"), status: 401,
			body: `{"error":"invalid_token","error_description":"needed"}`, challenge: `Bearer error="invalid_token"`},
		{name: "registration refused", err: oauth.InvalidRedirectURI("redirect_uris[0]: not an absolute URI"), status: 400,
			body: `{"error":"invalid_redirect_uri","error_description":"redirect_uris[0]: not an absolute URI"}`},
		{name: "rate limited", err: oauth.TooManyRequests("slow down", 2500*time.Millisecond), status: 429,
			body: `{"error":"temporarily_unavailable","error_description":"slow down"}`, retryAfter: "3"},
		{name: "fiber 404", err: fiber.ErrNotFound, status: 404, body: `{"error":"not_found","error_description":"Not Found"}`},
		// RFC 6749 §5.2: whatever an *oauth.Error holds, the writer sends only %x20-21 / %x23-5B / %x5D-7E.
		{name: "description outside RFC 6749 section 5.2's set", status: 400,
			err:  &oauth.Error{Code: "invalid_request", Status: 400, Description: "say \"no\" \\ \u00a75.2 caf\u00e9\n\x00 end"},
			body: `{"error":"invalid_request","error_description":"say 'no' 5.2 caf end"}`},
		{name: "no error status", err: &oauth.Error{Code: "odd", Description: "d"}, status: 400,
			body: `{"error":"odd","error_description":"d"}`},
		{name: "server_error", err: oauth.ServerError(errors.New(cause)), status: 500, code: "server_error", logged: cause},
		{name: "bare failure", err: errors.New(cause), status: 500, code: "server_error", logged: cause},
		{name: "closed store", err: oauth.ServerError(closed), status: 503, code: "temporarily_unavailable",
			retryAfter: "5", logged: "store: closed"},
		{name: "bare closed store", err: closed, status: 503, code: "temporarily_unavailable", retryAfter: "5",
			logged: "store: closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &testlog.Buffer{}
			s := &Server{log: slog.New(slog.NewTextHandler(logs, nil))}
			app := fiber.New(fiber.Config{ErrorHandler: s.handleError})
			iss, _ := url.Parse("https://id.example")
			app.Get("/oauth2/x", requestID, func(c *fiber.Ctx) error {
				c.Locals(localsHost, &Host{Issuer: iss})
				return tt.err
			})
			res, err := app.Test(httptest.NewRequest(http.MethodGet, "/oauth2/x", nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			body, id := string(b), res.Header.Get("X-Request-ID")
			if res.StatusCode != tt.status || res.Header.Get("Cache-Control") != "no-store" ||
				res.Header.Get("WWW-Authenticate") != tt.challenge || res.Header.Get("Retry-After") != tt.retryAfter {
				t.Fatalf("%d %v %s", res.StatusCode, res.Header, body)
			}
			if tt.body != "" {
				if body != tt.body {
					t.Fatalf("body %s, want %s", body, tt.body)
				}
				if logs.String() != "" {
					t.Fatalf("a refusal was logged as a failure: %s", logs)
				}
				return
			}
			if !strings.HasPrefix(body, `{"error":"`+tt.code+`","error_description":"the server `) ||
				!strings.Contains(body, "(request "+id+")") || strings.Contains(body, tt.logged) {
				t.Fatalf("body %s", body)
			}
			if l := logs.String(); !strings.Contains(l, tt.logged) || !strings.Contains(l, "request_id="+id) {
				t.Fatalf("log lacks the cause or the request id: %s", l)
			}
		})
	}
}

// TestErrorPageStoreClosed: at a browser endpoint a closed store is the themed error page with 503 and
// Retry-After, a generic text carrying the request id, and the cause only in the log.
func TestErrorPageStoreClosed(t *testing.T) {
	logs := &testlog.Buffer{}
	e := newEnv(t, withLogger(slog.New(slog.NewTextHandler(logs, nil))))
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	p := e.browser().get(authzQuery("web", webRedirect, "openid"))
	id := p.header.Get("X-Request-ID")
	if p.status != http.StatusServiceUnavailable || p.header.Get("Retry-After") != "5" ||
		!strings.HasPrefix(p.header.Get("Content-Type"), "text/html") || !strings.Contains(p.body, `id="request-id">`+id) ||
		strings.Contains(p.body, "closed") {
		t.Fatalf("%d %v\n%s", p.status, p.header, p.body)
	}
	if l := logs.String(); !strings.Contains(l, "store: closed") || !strings.Contains(l, "request_id="+id) {
		t.Fatalf("log lacks the cause or the request id: %s", l)
	}
}
