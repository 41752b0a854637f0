package httpapi

import (
	"context"
	"errors"
	"github.com/assentry/assentry/internal/testlog"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/assentry/assentry/store"
)

// failingTokens is a token store whose lookups fail as a broken backend would (not as an unknown token does).
type failingTokens struct{ store.TokenStore }

func (failingTokens) Get(context.Context, string, string) (*store.Token, error) {
	return nil, errors.New("tokens backend: disk on fire")
}

// TestUserinfoStoreFailure: a store that fails answers a logged 5xx, never 401 invalid_token (RFC 6750 §3.1
// keeps that for tokens that are bad, and the token here may be perfectly good): 500 server_error for a failing
// backend, 503 temporarily_unavailable with Retry-After for a closed store. Neither carries a Bearer challenge
// or the cause.
func TestUserinfoStoreFailure(t *testing.T) {
	logs := &testlog.Buffer{}
	e := newEnv(t, withLogger(slog.New(slog.NewTextHandler(logs, nil))))
	e.addUser("alice", "correct horse battery")
	_, _, resp := e.issueTokens("alice", "correct horse battery", "openid profile")
	at := resp["access_token"].(string)
	get := func() page {
		req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+at)
		return e.browser().do(req)
	}
	good := e.host.UserInfo
	tests := []struct {
		name       string
		setup      func()
		status     int
		code       string
		retryAfter string
		cause      string // in the log, not in the body
	}{
		{name: "failing backend", setup: func() {
			u := *good
			u.Tokens = failingTokens{good.Tokens}
			e.host.UserInfo = &u
		}, status: http.StatusInternalServerError, code: "server_error", cause: "disk on fire"},
		{name: "closed store", setup: func() {
			e.host.UserInfo = good
			if err := e.st.Close(); err != nil {
				t.Fatal(err)
			}
		}, status: http.StatusServiceUnavailable, code: "temporarily_unavailable", retryAfter: "5", cause: "store: closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup()
			p := get()
			m := jsonOf(t, p)
			id := p.header.Get("X-Request-ID")
			if p.status != tt.status || m["error"] != tt.code || p.header.Get("Retry-After") != tt.retryAfter ||
				p.header.Get("WWW-Authenticate") != "" || !strings.Contains(m["error_description"].(string), id) ||
				strings.Contains(p.body, tt.cause) {
				t.Fatalf("%d Retry-After=%q WWW-Authenticate=%q %s", p.status, p.header.Get("Retry-After"),
					p.header.Get("WWW-Authenticate"), p.body)
			}
			if l := logs.String(); !strings.Contains(l, "request_id="+id) || !strings.Contains(l, tt.cause) {
				t.Fatalf("log lacks the cause or the request id:\n%s", l)
			}
		})
	}
}
