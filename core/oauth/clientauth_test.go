package oauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/assentry/assentry/store"
)

func rawBasic(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }

// TestAuthenticateClient: one case per rule of RFC 6749 §2.3 and the registered-method enforcement.
func TestAuthenticateClient(t *testing.T) {
	e := newTokenEnv(t)
	tests := []struct {
		name       string
		cr         ClientCredentials
		wantClient string // "" = an error is expected
		wantCode   string
		wantBasic  bool // the error asks for WWW-Authenticate
	}{
		{name: "basic", cr: ClientCredentials{Authorization: basicHeader("web", "web-secret")}, wantClient: "web"},
		{name: "basic scheme is case-insensitive", cr: ClientCredentials{Authorization: "bAsIc " + rawBasic("web:web-secret")[6:]}, wantClient: "web"},
		{name: "basic with the same client_id in the body", cr: ClientCredentials{Authorization: basicHeader("web", "web-secret"), ID: "web"}, wantClient: "web"},
		{name: "basic form-encoded id and secret with : % +", cr: ClientCredentials{Authorization: basicHeader("odd:id%2B+x", "s:e%c+r et")}, wantClient: "odd:id%2B+x"},
		{name: "basic not form-encoded: + decodes to space", cr: ClientCredentials{Authorization: rawBasic("web:web+secret")}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "basic id with a raw colon splits at the first one", cr: ClientCredentials{Authorization: rawBasic("odd:id%2B+x:s")}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "basic wrong secret", cr: ClientCredentials{Authorization: basicHeader("web", "nope")}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "basic empty secret", cr: ClientCredentials{Authorization: basicHeader("web", "")}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "basic unknown client", cr: ClientCredentials{Authorization: basicHeader("ghost", "x")}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "basic bad base64", cr: ClientCredentials{Authorization: "Basic !!!"}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "basic without colon", cr: ClientCredentials{Authorization: rawBasic("web")}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "basic bad escape", cr: ClientCredentials{Authorization: rawBasic("web:%zz")}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "basic empty id", cr: ClientCredentials{Authorization: rawBasic(":web-secret")}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "other scheme", cr: ClientCredentials{Authorization: "Bearer at_x"}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "basic and body secret: two methods", cr: ClientCredentials{Authorization: basicHeader("web", "web-secret"), ID: "web", Secret: "web-secret"}, wantCode: CodeInvalidRequest},
		{name: "basic and a different body client_id", cr: ClientCredentials{Authorization: basicHeader("web", "web-secret"), ID: "other"}, wantCode: CodeInvalidRequest},
		{name: "post", cr: ClientCredentials{ID: "post", Secret: "post-secret"}, wantClient: "post"},
		{name: "post wrong secret", cr: ClientCredentials{ID: "post", Secret: "web-secret"}, wantCode: CodeInvalidClient},
		{name: "post client without secret", cr: ClientCredentials{ID: "post"}, wantCode: CodeInvalidClient},
		{name: "post client via basic", cr: ClientCredentials{Authorization: basicHeader("post", "post-secret")}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "basic client secret in body", cr: ClientCredentials{ID: "web", Secret: "web-secret"}, wantCode: CodeInvalidClient},
		{name: "basic client without secret", cr: ClientCredentials{ID: "web"}, wantCode: CodeInvalidClient},
		{name: "public by client_id", cr: ClientCredentials{ID: "spa"}, wantClient: "spa"},
		{name: "public with a body secret", cr: ClientCredentials{ID: "spa", Secret: "x"}, wantCode: CodeInvalidClient},
		{name: "public via basic with empty secret", cr: ClientCredentials{Authorization: basicHeader("spa", "")}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "public via basic with a secret", cr: ClientCredentials{Authorization: basicHeader("spa", "x")}, wantCode: CodeInvalidClient, wantBasic: true},
		{name: "unknown client in body", cr: ClientCredentials{ID: "ghost"}, wantCode: CodeInvalidClient},
		{name: "no credentials", cr: ClientCredentials{}, wantCode: CodeInvalidClient},
		{name: "secret without client_id", cr: ClientCredentials{Secret: "web-secret"}, wantCode: CodeInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, err := e.p.AuthenticateClient(e.ctx, tt.cr, "192.0.2.1")
			if tt.wantClient != "" {
				if err != nil || client.ID != tt.wantClient {
					t.Fatalf("got %v, %v; want client %s", client, err, tt.wantClient)
				}
				return
			}
			status := http.StatusBadRequest
			if tt.wantCode == CodeInvalidClient {
				status = http.StatusUnauthorized
			}
			wantErr(t, err, tt.wantCode, status)
			if err.BasicTried() != tt.wantBasic {
				t.Fatalf("BasicTried = %v, want %v", err.BasicTried(), tt.wantBasic)
			}
			if client != nil {
				t.Fatal("a client came back with an error")
			}
		})
	}
}

func TestParseBasicAuth(t *testing.T) {
	tests := []struct {
		header, id, secret string
		ok                 bool
	}{
		{basicHeader("a:b", "c:d"), "a:b", "c:d", true},
		{rawBasic("a%3Ab:c:d"), "a:b", "c:d", true}, // split at the first ':', then decode
		{rawBasic("a+b:c%25d"), "a b", "c%d", true},
		{"Basic  " + rawBasic("a:b")[6:], "a", "b", true},
		{rawBasic("a:"), "a", "", true},
		{"Basic", "", "", false},
		{"Digest " + rawBasic("a:b")[6:], "", "", false},
		{rawBasic("ab"), "", "", false},
	}
	for _, tt := range tests {
		id, secret, ok := ParseBasicAuth(tt.header)
		if id != tt.id || secret != tt.secret || ok != tt.ok {
			t.Errorf("ParseBasicAuth(%q) = %q, %q, %v; want %q, %q, %v", tt.header, id, secret, ok, tt.id, tt.secret, tt.ok)
		}
	}
}

// legacySource marks the client "post" as registered with mod_http_oauth2, as the registration source does for
// a client_id without iss.
type legacySource struct{ ClientSource }

func (l legacySource) Get(ctx context.Context, id string) (*store.Client, error) {
	c, err := l.ClientSource.Get(ctx, id)
	if err == nil && (id == "post" || id == "web") {
		c.Legacy = true
	}
	return c, err
}

// TestLegacyClientAuthentication: a client registered with mod_http_oauth2 authenticates by HTTP Basic or in
// the body whatever it registered, as Prosody allowed; a secret that does not verify is refused and logs, once
// per client and without the secret, that registration.legacy_host may not be the host it registered with.
func TestLegacyClientAuthentication(t *testing.T) {
	var logs bytes.Buffer
	e := newTokenEnv(t, func(o *Options) {
		o.Clients = legacySource{o.Clients}
		o.Log = slog.New(slog.NewTextHandler(&logs, nil))
	})
	for _, cr := range []ClientCredentials{
		{Authorization: basicHeader("post", "post-secret")}, {ID: "post", Secret: "post-secret"},
		{Authorization: basicHeader("web", "web-secret")}, {ID: "web", Secret: "web-secret"},
	} {
		if c, err := e.p.AuthenticateClient(e.ctx, cr, "192.0.2.1"); err != nil || !c.Legacy {
			t.Errorf("%+v: %v", cr, err)
		}
	}
	// A client registered with Assentry keeps its method.
	if _, err := e.p.AuthenticateClient(e.ctx, ClientCredentials{ID: "other", Secret: "other-secret"}, "192.0.2.1"); err == nil {
		t.Error("a non-legacy client_secret_basic client authenticated in the body")
	}
	for range 3 {
		for _, cr := range []ClientCredentials{{ID: "web", Secret: "wrong-secret-1"}, {Authorization: basicHeader("web", "wrong-secret-2")}} {
			_, err := e.p.AuthenticateClient(e.ctx, cr, "192.0.2.1")
			wantErr(t, err, CodeInvalidClient, http.StatusUnauthorized)
		}
	}
	if n := strings.Count(logs.String(), "legacy_host"); n != 1 {
		t.Errorf("the legacy_host warning was logged %d times, want once:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "wrong-secret") {
		t.Error("the warning logged the secret")
	}
}
