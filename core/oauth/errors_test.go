package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// TestErrorConstructors: each constructor's code, status, WWW-Authenticate challenge (realm "id.example"),
// Retry-After and Field, and that a cause is kept for errors.Is but never appears in the error's text.
func TestErrorConstructors(t *testing.T) {
	secret := errors.New("secret cause: /var/lib/assentry is full")
	closed := fmt.Errorf("tokens.Get: %w", store.ErrClosed)
	bearer := func(code, desc string) string {
		return `Bearer realm="id.example", error="` + code + `", error_description="` + desc + `"`
	}
	tests := []struct {
		name      string
		err       *Error
		code      string
		status    int
		challenge string
		retry     time.Duration
		field     string
		cause     error
		failure   bool // a server failure: logged, generic description
	}{
		{name: "invalid_request", err: InvalidRequest("x"), code: CodeInvalidRequest, status: 400},
		{name: "invalid_client in the body", err: InvalidClient("x"), code: CodeInvalidClient, status: 401},
		{name: "invalid_client after Basic", err: clientFailed(true, "x", "wrong secret"), code: CodeInvalidClient, status: 401,
			challenge: `Basic realm="id.example"`},
		{name: "invalid_client without Basic", err: clientFailed(false, "x", "wrong secret"), code: CodeInvalidClient, status: 401},
		{name: "invalid_grant", err: InvalidGrant("x"), code: CodeInvalidGrant, status: 400},
		{name: "unauthorized_client", err: UnauthorizedClient("x"), code: CodeUnauthorizedClient, status: 400},
		{name: "unsupported_grant_type", err: UnsupportedGrantType("x"), code: CodeUnsupportedGrantType, status: 400},
		{name: "unsupported_response_type", err: UnsupportedResponseType("x"), code: CodeUnsupportedResponseType, status: 400},
		{name: "invalid_scope", err: InvalidScope("x"), code: CodeInvalidScope, status: 400},
		{name: "access_denied", err: AccessDenied("x"), code: CodeAccessDenied, status: 400},
		{name: "login_required", err: LoginRequired("x"), code: CodeLoginRequired, status: 400},
		{name: "consent_required", err: ConsentRequired("x"), code: CodeConsentRequired, status: 400},
		{name: "request_not_supported", err: RequestNotSupported(), code: CodeRequestNotSupported, status: 400},
		{name: "request_uri_not_supported", err: RequestURINotSupported(), code: CodeRequestURINotSupported, status: 400},
		{name: "CSRF failure", err: InvalidRequest("x").WithStatus(403), code: CodeInvalidRequest, status: 403},
		{name: "HTTP 405", err: HTTPStatus(405, "x"), code: "method_not_allowed", status: 405},
		{name: "HTTP 413", err: HTTPStatus(413, "x"), code: "request_entity_too_large", status: 413},
		{name: "no token", err: MissingToken(), code: "", status: 401, challenge: `Bearer realm="id.example"`},
		{name: "invalid_token", err: InvalidToken("bad token"), code: CodeInvalidToken, status: 401,
			challenge: bearer(CodeInvalidToken, "bad token")},
		{name: "insufficient_scope", err: InsufficientScope("needs openid"), code: CodeInsufficientScope, status: 403,
			challenge: bearer(CodeInsufficientScope, "needs openid")},
		{name: "bearer invalid_request", err: InvalidBearerRequest("twice"), code: CodeInvalidRequest, status: 400,
			challenge: bearer(CodeInvalidRequest, "twice")},
		{name: "challenge keeps to what RFC 6750 allows", err: InvalidToken(`say "no" \ now` + "\n\u00e9"), code: CodeInvalidToken,
			status: 401, challenge: bearer(CodeInvalidToken, "say 'no' now")},
		{name: "invalid_redirect_uri", err: InvalidRedirectURI("redirect_uris: x"), code: CodeInvalidRedirectURI, status: 400,
			field: "redirect_uris"},
		{name: "invalid_client_metadata", err: InvalidClientMetadata("client_uri", "client_uri: x"), code: CodeInvalidClientMetadata,
			status: 400, field: "client_uri"},
		{name: "policy refusal with its code", err: RegistrationRefused("invalid_software_statement", "x"),
			code: "invalid_software_statement", status: 400},
		{name: "policy refusal without a code", err: RegistrationRefused("", "x"), code: CodeInvalidClientMetadata, status: 400},
		{name: "bad initial access token", err: InvalidInitialAccessToken("x"), code: CodeInvalidToken, status: 401,
			challenge: `Bearer error="invalid_token"`},
		{name: "rate limited", err: TooManyRequests("x", 90*time.Second), code: CodeTemporarilyUnavailable, status: 429,
			retry: 90 * time.Second},
		{name: "temporarily unavailable", err: TemporarilyUnavailable("x"), code: CodeTemporarilyUnavailable, status: 503, failure: true},
		{name: "server_error", err: ServerError(secret), code: CodeServerError, status: 500, cause: secret, failure: true},
		{name: "server_error of a closed store is 503", err: ServerError(closed), code: CodeTemporarilyUnavailable, status: 503,
			retry: UnavailableRetry, cause: store.ErrClosed, failure: true},
		{name: "unavailable", err: Unavailable(secret), code: CodeTemporarilyUnavailable, status: 503, retry: 5 * time.Second,
			cause: secret, failure: true},
		{name: "AsError of a plain error", err: AsError(secret), code: CodeServerError, status: 500, cause: secret, failure: true},
		{name: "AsError of a closed store", err: AsError(closed), code: CodeTemporarilyUnavailable, status: 503,
			retry: UnavailableRetry, cause: store.ErrClosed, failure: true},
		{name: "AsError keeps a wrapped *Error", err: AsError(fmt.Errorf("grant: %w", InvalidGrant("x"))), code: CodeInvalidGrant, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.err
			if e.Code != tt.code || e.Status != tt.status || e.Field != tt.field || e.RetryAfter() != tt.retry ||
				e.ServerFailure() != tt.failure {
				t.Fatalf("got %q %d field %q retry %v failure %v", e.Code, e.Status, e.Field, e.RetryAfter(), e.ServerFailure())
			}
			if got := e.Challenge("id.example"); got != tt.challenge {
				t.Fatalf("challenge %q, want %q", got, tt.challenge)
			}
			if tt.cause != nil && !errors.Is(e, tt.cause) {
				t.Fatalf("cause %v, want %v", e.Unwrap(), tt.cause)
			}
			if strings.Contains(e.Error(), "secret") || strings.Contains(e.Description, "secret") ||
				strings.Contains(e.Description, "closed") {
				t.Fatalf("the cause leaks: %q", e.Error())
			}
		})
	}
}

// TestErrorsAreFresh: constructors return a new value each time, so changing one never changes another.
func TestErrorsAreFresh(t *testing.T) {
	a, b := InvalidRequest("x"), InvalidRequest("x")
	a.WithStatus(http.StatusForbidden).WithCause(errors.New("c"))
	if a == b || b.Status != http.StatusBadRequest || b.Unwrap() != nil {
		t.Fatalf("shared error: %+v", b)
	}
}
