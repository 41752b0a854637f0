package oauth

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzTokenRequest runs token requests, a form body and an Authorization header as the HTTP layer copies them
// (ParseParams, CredentialsFrom), through Provider.Token on a real provider that serves the code, refresh,
// client_credentials and password grants. Whatever is sent, the answer is tokens or an RFC 6749 §5.2 error that
// is not a server_error, whose description is safe to send (wantErr); a Basic challenge goes only with
// invalid_client. Tokens carry their type prefix and a well-formed scope. The clock moves two hours per request,
// so the rate limits never saturate and every request is judged on its content.
func FuzzTokenRequest(f *testing.F) {
	ge := newGrantEnv(f, grantOpts{})
	ge.addClient("cc", "cc-secret", []string{GrantClientCredentials}, []string{"api", "metrics"})
	ge.addClient("pw", "pw-secret", []string{GrantPassword, GrantRefreshToken}, nil)
	for _, c := range [][2]string{
		{"grant_type=client_credentials&scope=api", basicHeader("cc", "cc-secret")},
		{"grant_type=client_credentials&scope=api+metrics+openid+%22", basicHeader("cc", "cc-secret")},
		{"grant_type=client_credentials&client_id=cc&client_secret=cc-secret", ""},
		{"grant_type=password&username=bob&password=correct+horse+battery&scope=openid+user", basicHeader("pw", "pw-secret")},
		{"grant_type=password&username=carol&password=disabled+user+password", basicHeader("pw", "pw-secret")},
		{"grant_type=refresh_token&refresh_token=rt_x", basicHeader("pw", "pw-secret")},
		{"grant_type=authorization_code&code=ac_x&redirect_uri=https://web.example/cb&code_verifier=" + tkVerifier,
			basicHeader("web", "web-secret")},
		{"grant_type=authorization_code&code=ac_x&client_id=spa", ""},
		{"grant_type=client_credentials&client_id=cc", basicHeader("cc", "cc-secret")},
		{"grant_type=client_credentials&client_secret=x", basicHeader("cc", "cc-secret")},
		{"grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=dc_x&client_id=tv", ""},
		{"grant_type=client_credentials", "Basic !!!"}, {"grant_type=client_credentials", "Bearer at_x"},
		{"grant_type=client_credentials&grant_type=password", basicHeader("cc", "cc-secret")},
		{"grant_type=nope", basicHeader("odd:id%2B+x", "s:e%c+r et")}, {"", ""}, {"client_secret=x", ""},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, body, authorization string) {
		values, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		params, e := ParseParams(values)
		if e != nil {
			return
		}
		ge.clock.Advance(2 * time.Hour)
		resp, e := ge.p.Token(ge.ctx, &TokenRequest{Params: params, Client: CredentialsFrom(authorization, params),
			Transport: Transport{ClientAddr: "192.0.2.7"}})
		if e != nil {
			if e.Code == CodeServerError || e.Status >= 500 {
				t.Fatalf("body %q, Authorization %q: %v (cause %v)", body, authorization, e, e.Unwrap())
			}
			wantErr(t, e, e.Code, e.Status)
			if e.BasicTried() && e.Code != CodeInvalidClient {
				t.Fatalf("a Basic challenge with %s", e.Code)
			}
			return
		}
		if !strings.HasPrefix(resp.AccessToken, "at_") || resp.TokenType != TokenTypeBearer || resp.ExpiresIn <= 0 ||
			resp.RefreshToken != "" && !strings.HasPrefix(resp.RefreshToken, "rt_") {
			t.Fatalf("body %q: tokens %+v", body, resp)
		}
		if scopes, e := ParseScope(resp.Scope); e != nil || JoinScope(scopes) != resp.Scope {
			t.Fatalf("body %q: granted scope %q", body, resp.Scope)
		}
	})
}
