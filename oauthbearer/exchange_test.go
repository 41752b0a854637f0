package oauthbearer

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// tableVerifier knows a fixed set of tokens; the token "down" stands for an unreachable authorization server.
type tableVerifier map[string]*Token

func (v tableVerifier) Verify(_ context.Context, token string) (*Token, error) {
	if token == "down" {
		return nil, errors.New("connection refused")
	}
	if t, ok := v[token]; ok {
		return t, nil
	}
	return nil, invalidToken("unknown")
}

var testTokens = tableVerifier{
	"alice":   {Subject: "0f3a", Username: "alice", ClientID: "mail-app", Scopes: []string{"mail", "openid"}, Audience: []string{"mail-app"}},
	"noscope": {Subject: "0f3a", Username: "alice", ClientID: "mail-app", Scopes: []string{"openid"}, Audience: []string{"mail-app"}},
	"other":   {Subject: "0f3a", Username: "alice", ClientID: "chat-app", Scopes: []string{"mail"}, Audience: []string{"chat-app"}},
	"service": {Subject: "reporting", ClientID: "reporting", ForClient: true, Scopes: []string{"mail"}, Audience: []string{"mail-app"}},
}

func testAuthenticator() *Authenticator {
	return &Authenticator{Verifier: testTokens, RequiredScopes: []string{"mail"}, Audiences: []string{"mail-app"},
		OpenIDConfiguration: "https://auth.example.net/.well-known/openid-configuration"}
}

func initial(authzid, token string) []byte {
	return (&InitialResponse{Authzid: authzid, Token: token, Host: "imap.example.net", Port: 993}).Marshal()
}

func TestExchangeSuccess(t *testing.T) {
	tests := []struct {
		name    string
		authzid string
		token   string
		want    string // the identity
	}{
		{"no authzid: the username", "", "alice", "alice"},
		{"authzid = username", "alice", "alice", "alice"},
		{"authzid = sub", "0f3a", "alice", "0f3a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := testAuthenticator().NewExchange()
			challenge, done, err := x.Next(context.Background(), initial(tt.authzid, tt.token))
			if !done || err != nil || challenge != nil {
				t.Fatalf("Next: %q %v %v", challenge, done, err)
			}
			if id := x.Identity(); id == nil || id.Authzid != tt.want || id.Token.ClientID != "mail-app" {
				t.Fatalf("identity %+v, want %q", id, tt.want)
			}
			if _, done, err := x.Next(context.Background(), []byte{1}); !done || err == nil {
				t.Error("a message after the end was taken")
			}
		})
	}
}

// TestExchangeFailure: a refused token gets the RFC 7628 §3.2.2 JSON as a challenge; the client's %x01 then
// ends the exchange with the *Failure, and anything else ends it too.
func TestExchangeFailure(t *testing.T) {
	tests := []struct {
		name    string
		auth    func(*Authenticator)
		authzid string
		token   string
		status  string
		reason  string
	}{
		{"unknown token", nil, "", "nope", StatusInvalidToken, "unknown"},
		{"missing scope", nil, "", "noscope", StatusInsufficientScope, `lacks the scope "mail"`},
		{"other audience", nil, "", "other", StatusInvalidToken, "audience"},
		{"client token", nil, "", "service", StatusInvalidToken, "client's own"},
		{"wrong authzid", nil, "bob", "alice", StatusInvalidRequest, `authzid "bob"`},
		{"authzid matcher refuses", func(a *Authenticator) {
			a.MatchAuthzid = func(authzid string, t *Token) bool { return authzid == t.Username+"@example.net" }
		}, "alice", "alice", StatusInvalidRequest, `authzid "alice"`},
		{"client token: authzid of a user", func(a *Authenticator) { a.AllowClientTokens = true }, "alice", "service", StatusInvalidRequest, "authzid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := testAuthenticator()
			if tt.auth != nil {
				tt.auth(a)
			}
			for _, answer := range []string{"\x01", "n,,\x01auth=Bearer again\x01\x01"} {
				x := a.NewExchange()
				challenge, done, err := x.Next(context.Background(), initial(tt.authzid, tt.token))
				if done || err != nil {
					t.Fatalf("Next: done %v, %v; want a challenge", done, err)
				}
				var body map[string]string
				if err := json.Unmarshal(challenge, &body); err != nil {
					t.Fatalf("challenge %q: %v", challenge, err)
				}
				want := map[string]string{"status": tt.status, "scope": "mail",
					"openid-configuration": "https://auth.example.net/.well-known/openid-configuration"}
				if len(body) != len(want) || body["status"] != want["status"] || body["scope"] != want["scope"] || body["openid-configuration"] != want["openid-configuration"] {
					t.Errorf("challenge %s, want %v", challenge, want)
				}
				_, done, err = x.Next(context.Background(), []byte(answer))
				var f *Failure
				if !done || !errors.As(err, &f) || f.Status != tt.status || !strings.Contains(f.Reason, tt.reason) {
					t.Fatalf("after %q: done %v, %v; want the %s failure saying %q", answer, done, err, tt.status, tt.reason)
				}
				var se *SyntaxError
				if answer != "\x01" && !errors.As(err, &se) {
					t.Errorf("a wrong answer to the failure is not reported as such: %v", err)
				}
				if x.Identity() != nil {
					t.Error("an identity after a failure")
				}
			}
		})
	}
}

func TestExchangeAllowClientTokens(t *testing.T) {
	a := testAuthenticator()
	a.AllowClientTokens = true
	x := a.NewExchange()
	if _, done, err := x.Next(context.Background(), initial("", "service")); !done || err != nil {
		t.Fatalf("Next: %v %v", done, err)
	}
	if id := x.Identity(); id.Authzid != "reporting" || !id.Token.ForClient {
		t.Errorf("identity %+v", id)
	}
}

// TestExchangeMalformed: a malformed initial response ends the exchange at once, with no JSON challenge.
func TestExchangeMalformed(t *testing.T) {
	for _, msg := range []string{"\x01", "", "n,,\x01auth=Basic x\x01\x01", "garbage"} {
		x := testAuthenticator().NewExchange()
		challenge, done, err := x.Next(context.Background(), []byte(msg))
		var se *SyntaxError
		if !done || challenge != nil || !errors.As(err, &se) {
			t.Errorf("%q: %q %v %v, want the end with a *SyntaxError", msg, challenge, done, err)
		}
	}
}

// TestExchangeVerifierDown: when the token cannot be checked the exchange ends with that error, not a Failure:
// the client's token is not to blame.
func TestExchangeVerifierDown(t *testing.T) {
	x := testAuthenticator().NewExchange()
	challenge, done, err := x.Next(context.Background(), initial("", "down"))
	var f *Failure
	if !done || challenge != nil || err == nil || errors.As(err, &f) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("%q %v %v", challenge, done, err)
	}
}

func TestFailureJSON(t *testing.T) {
	f := &Failure{Status: StatusInvalidToken, Scope: "mail openid", OpenIDConfiguration: "https://a.example/.well-known/openid-configuration", Reason: "secret reason"}
	want := `{"status":"invalid_token","scope":"mail openid","openid-configuration":"https://a.example/.well-known/openid-configuration"}`
	if got := string(f.JSON()); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := string((&Failure{Status: StatusInvalidToken}).JSON()); got != `{"status":"invalid_token"}` {
		t.Errorf("optional members: %s", got)
	}
	back, err := ParseFailure(f.JSON())
	if err != nil || back.Status != f.Status || back.Scope != f.Scope || back.Reason != "" {
		t.Errorf("ParseFailure: %+v %v", back, err)
	}
	if _, err := ParseFailure([]byte(`{"scope":"x"}`)); err == nil {
		t.Error("a failure without status was taken")
	}
}
