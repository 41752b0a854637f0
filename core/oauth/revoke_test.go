package oauth

import (
	"testing"
	"time"
)

// TestRevoke: RFC 7009 §2.1-2.2 and docs/architecture.md §5, one case per rule. Each case gets a fresh chain of web's
// (first exchange, then one rotation: at1 rt1(used) at2 rt2) and checks which of at2, rt2 survive.
func TestRevoke(t *testing.T) {
	type chain struct{ at1, rt1, at2, rt2 string }
	tests := []struct {
		name      string
		client    string // default web
		cr        *ClientCredentials
		token     func(c chain) string
		kv        []string
		revokeAt1 bool // revoke at1 before the request
		code      string
		status    int
		atAlive   bool // at2 after the request
		rtAlive   bool // rt2 after the request
		at1Alive  bool // at1 after the request
	}{
		{name: "unknown token", token: func(chain) string { return PrefixAccessToken + "nope" }, atAlive: true, rtAlive: true, at1Alive: true},
		{name: "malformed token", token: func(chain) string { return "%%%\x00" }, atAlive: true, rtAlive: true, at1Alive: true},
		{name: "missing token", token: func(chain) string { return "" }, code: CodeInvalidRequest, status: 400, atAlive: true, rtAlive: true, at1Alive: true},
		{name: "refresh token revokes the chain", token: func(c chain) string { return c.rt2 }},
		{name: "rotated refresh token revokes the chain", token: func(c chain) string { return c.rt1 }},
		{name: "access token revokes only itself", token: func(c chain) string { return c.at2 }, rtAlive: true, at1Alive: true},
		{name: "hint is only a hint", token: func(c chain) string { return c.at2 }, kv: []string{"token_type_hint", HintRefreshToken}, rtAlive: true, at1Alive: true},
		{name: "unknown hint is ignored", token: func(c chain) string { return c.rt2 }, kv: []string{"token_type_hint", "id_token"}},
		{name: "another client's token", client: "other", token: func(c chain) string { return c.rt2 },
			code: CodeUnauthorizedClient, status: 400, atAlive: true, rtAlive: true, at1Alive: true},
		{name: "another client's access token", client: "other", token: func(c chain) string { return c.at2 },
			code: CodeUnauthorizedClient, status: 400, atAlive: true, rtAlive: true, at1Alive: true},
		{name: "unauthenticated", cr: &ClientCredentials{Authorization: basicHeader("web", "wrong")}, token: func(c chain) string { return c.rt2 },
			code: CodeInvalidClient, status: 401, atAlive: true, rtAlive: true, at1Alive: true},
		{name: "public client cannot revoke by the confidential client's id", cr: &ClientCredentials{ID: "web"}, token: func(c chain) string { return c.rt2 },
			code: CodeInvalidClient, status: 401, atAlive: true, rtAlive: true, at1Alive: true},
		{name: "already revoked access token", token: func(c chain) string { return c.at1 }, revokeAt1: true, rtAlive: true, atAlive: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTokenEnv(t)
			first := e.mustExchange("web")
			second, err := e.refresh("web", first.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			c := chain{first.AccessToken, first.RefreshToken, second.AccessToken, second.RefreshToken}
			if tt.revokeAt1 {
				if err := e.p.Revoke(e.ctx, &RevocationRequest{Params: params("token", c.at1), Client: e.creds("web")}); err != nil {
					t.Fatal(err)
				}
			}
			client := tt.client
			if client == "" {
				client = "web"
			}
			cr := e.creds(client)
			if tt.cr != nil {
				cr = *tt.cr
			}
			err = e.p.Revoke(e.ctx, &RevocationRequest{Params: params(append([]string{"token", tt.token(c)}, tt.kv...)...), Client: cr})
			if tt.code == "" {
				if err != nil {
					t.Fatalf("revoke: %v", err)
				}
			} else {
				wantErr(t, err, tt.code, tt.status)
			}
			if e.usable(c.at2) != tt.atAlive || e.usable(c.rt2) != tt.rtAlive || e.usable(c.at1) != tt.at1Alive {
				t.Fatalf("alive after: at2 %v rt2 %v at1 %v; want %v %v %v", e.usable(c.at2), e.usable(c.rt2), e.usable(c.at1),
					tt.atAlive, tt.rtAlive, tt.at1Alive)
			}
		})
	}
}

// TestRevokePublicAndExpired: a public client revokes its own token by client_id alone (RFC 7009 §5); an
// expired token is a success.
func TestRevokePublicAndExpired(t *testing.T) {
	e := newTokenEnv(t)
	pub := e.mustExchange("spa")
	if err := e.p.Revoke(e.ctx, &RevocationRequest{Params: params("token", pub.RefreshToken), Client: ClientCredentials{ID: "spa"}}); err != nil {
		t.Fatalf("public revoke: %v", err)
	}
	if e.usable(pub.AccessToken) {
		t.Fatal("public client's chain survived")
	}
	web := e.mustExchange("web")
	e.clock.Advance(time.Hour)
	if err := e.p.Revoke(e.ctx, &RevocationRequest{Params: params("token", web.AccessToken), Client: e.creds("web")}); err != nil {
		t.Fatalf("expired token: %v", err)
	}
	if err := e.p.Revoke(e.ctx, &RevocationRequest{Params: params("token", web.AccessToken), Client: e.creds("other")}); err != nil {
		t.Fatalf("another client's expired token is unknown, so a success: %v", err)
	}
}
