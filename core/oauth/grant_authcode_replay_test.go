package oauth

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/assentry/assentry/internal/testlog"
)

// TestFailedReplayRevokesNothing: a used code presented with a request that does not match its binding (another
// client, another redirect_uri, a wrong or missing code_verifier) proves nothing about the code, only about the
// request: it is refused and changes nothing, so the tokens of the first, legitimate redemption stay usable
// (RFC 6749 §4.1.3 checks the binding; only a true replay revokes, RFC 6749 §4.1.2, RFC 9700 §4.5.3). Whoever
// sees a leaked code without its verifier cannot end the user's session. The refusal is a warn-level security
// event naming the presenting client and the reason, with no secret in it.
func TestFailedReplayRevokesNothing(t *testing.T) {
	tests := []struct {
		name   string
		client string   // presenting client; default web, the code's
		kv     []string // overrides of the right request
		code   string
		status int
		reason string // in the log line
	}{
		{name: "wrong code_verifier", kv: []string{"code_verifier", strings.Repeat("x", 43)},
			code: CodeInvalidGrant, status: http.StatusBadRequest, reason: "code_verifier"},
		{name: "missing code_verifier", kv: []string{"code_verifier", ""},
			code: CodeInvalidGrant, status: http.StatusBadRequest, reason: "code_verifier"},
		{name: "wrong redirect_uri", kv: []string{"redirect_uri", "https://web.example/other"},
			code: CodeInvalidGrant, status: http.StatusBadRequest, reason: "redirect_uri"},
		{name: "missing redirect_uri", kv: []string{"redirect_uri", ""},
			code: CodeInvalidRequest, status: http.StatusBadRequest, reason: "redirect_uri"},
		{name: "another confidential client", client: "other", kv: []string{"redirect_uri", "https://web.example/cb"},
			code: CodeInvalidGrant, status: http.StatusBadRequest, reason: "not issued to this client"},
		{name: "a public client by client_id", client: "spa", kv: []string{"redirect_uri", "https://web.example/cb"},
			code: CodeInvalidGrant, status: http.StatusBadRequest, reason: "not issued to this client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &testlog.Buffer{}
			e := newTokenEnv(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(logs, nil)) })
			code, grantID := e.newCode(codeSpec{})
			first, err := e.exchange("web", code)
			if err != nil {
				t.Fatal(err)
			}
			client := tt.client
			if client == "" {
				client = "web"
			}
			_, err = e.exchange(client, code, tt.kv...)
			wantErr(t, err, tt.code, tt.status)

			g, gerr := e.st.Grants().Get(e.ctx, tkHost, grantID)
			if gerr != nil || g.Revoked {
				t.Fatalf("grant after a failed replay: revoked %v (%v), want live", g != nil && g.Revoked, gerr)
			}
			if !e.usable(first.AccessToken) || !e.usable(first.RefreshToken) {
				t.Fatal("a failed replay revoked the tokens of the first redemption")
			}
			out := logs.String()
			if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "client_id="+client) ||
				!strings.Contains(out, tt.reason) {
				t.Fatalf("want a warn line with client_id=%s and %q, got:\n%s", client, tt.reason, out)
			}
			for _, secret := range []string{code, tkVerifier, first.AccessToken, first.RefreshToken, e.secrets[client]} {
				if secret != "" && strings.Contains(out, secret) {
					t.Fatalf("the log holds a secret %q:\n%s", secret, out)
				}
			}

			// The failed attempt left the replay rule intact: the right request again is a true replay, which
			// ends the chain.
			_, err = e.exchange("web", code)
			wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
			if e.usable(first.AccessToken) || e.usable(first.RefreshToken) {
				t.Fatal("a true replay after a failed one left the first tokens usable")
			}
		})
	}
}

// TestFailedReplayThenRefresh: after failed replays the first redemption's refresh token still refreshes.
func TestFailedReplayThenRefresh(t *testing.T) {
	e := newTokenEnv(t)
	code, _ := e.newCode(codeSpec{})
	first, err := e.exchange("web", code)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.exchange("web", code, "code_verifier", strings.Repeat("y", 43))
	wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
	_, err = e.exchange("other", code, "redirect_uri", "https://web.example/cb")
	wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
	if _, err := e.refresh("web", first.RefreshToken); err != nil {
		t.Fatalf("refresh after failed replays: %v", err)
	}
}

// TestTrueReplayIsLogged: the true replay (right client, redirect_uri and verifier) revokes the chain and says so
// at warn level, naming the client.
func TestTrueReplayIsLogged(t *testing.T) {
	logs := &testlog.Buffer{}
	e := newTokenEnv(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(logs, nil)) })
	code, grantID := e.newCode(codeSpec{})
	first, err := e.exchange("web", code)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.exchange("web", code)
	wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
	if e.usable(first.AccessToken) {
		t.Fatal("the first access token survived a true replay")
	}
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "grant="+grantID) ||
		!strings.Contains(out, "client_id=web") || !strings.Contains(out, "replayed") {
		t.Fatalf("want a warn line naming the grant, the client and the replay, got:\n%s", out)
	}
}
