package oauth

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"testing"
)

// FuzzParseAuthorize runs decoded authorization requests through ParseAuthorize on a real provider (PKCE
// required, S256 only, response_type code). Whatever the request, the answer is an accepted request or an
// authorization error of one of the two kinds, never a server_error, with a description safe to send. An error
// shown on a page is invalid_request; one redirected goes to a redirect URI registered for the client named by
// client_id, with the request's state (RFC 6749 §4.1.2.1). An accepted request has a registered redirect URI,
// response_type code, a valid S256 challenge, scopes the client may have without repeats, a max_age of -1 or more,
// and no prompt=none beside other values.
func FuzzParseAuthorize(f *testing.F) {
	base := "client_id=web&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&state=xyz&code_challenge=" +
		testChallenge + "&code_challenge_method=S256"
	for _, q := range []string{
		base + "&scope=openid+profile+user+offline_access+unknown&nonce=n&prompt=login+consent&max_age=0",
		base + "&scope=openid%09profile", base + "&scope=%22", base + "&response_mode=fragment", base + "&response_mode=query",
		base + "&prompt=none+login", base + "&max_age=-1", base + "&max_age=99999999999999999999", base + "&request=x",
		base + "&request_uri=https://evil.example/r", base + "&id_token_hint=eyJ.e30.x",
		"client_id=native&redirect_uri=http://127.0.0.1:5555/cb&response_type=code&code_challenge=" + testChallenge +
			"&code_challenge_method=S256",
		"client_id=native&redirect_uri=http://[::1]:5555/cb&response_type=code",
		"client_id=oob&redirect_uri=urn:ietf:wg:oauth:2.0:oob&response_type=code&code_challenge=" + testChallenge,
		"client_id=oob&response_type=token", "client_id=single&response_type=code+token", "client_id=rtonly&response_type=code",
		"client_id=web&redirect_uri=https://app.example.com/cb2?x=1&response_type=code",
		"client_id=web&redirect_uri=https://app.example.com/cb%23frag&response_type=code", "client_id=nobody", "",
		"response_type=code&redirect_uri=https://evil.example/",
	} {
		f.Add(q)
	}
	p, _ := newAuthzProvider(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q string) {
		values, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		params, e := ParseParams(values)
		if e != nil {
			return // FuzzParseParams
		}
		r, err := p.ParseAuthorize(ctx, params)
		var se *ShowError
		var re *RedirectError
		switch {
		case err == nil:
		case errors.As(err, &se):
			wantErr(t, se.Err, CodeInvalidRequest, 400)
			return
		case errors.As(err, &re):
			if re.Err.Code == CodeServerError || re.Err.Status >= 500 {
				t.Fatalf("%q: %v", q, re.Err)
			}
			wantErr(t, re.Err, re.Err.Code, re.Err.Status)
			if re.Client == nil || re.Client.ID != params["client_id"] || re.State != params["state"] {
				t.Fatalf("%q: redirected error to client %v with state %q", q, re.Client, re.State)
			}
			if _, ok := MatchRedirectURI(re.Client.RedirectURIs, re.RedirectURI); !ok {
				t.Fatalf("%q: error redirected to unregistered %q", q, re.RedirectURI)
			}
			return
		default:
			t.Fatalf("%q: error %T %v, want *ShowError or *RedirectError", q, err, err)
		}
		if _, ok := MatchRedirectURI(r.Client.RedirectURIs, r.RedirectURI); !ok || r.Client.ID != params["client_id"] {
			t.Fatalf("%q: accepted with client %q, redirect %q", q, r.Client.ID, r.RedirectURI)
		}
		if r.ResponseType != ResponseTypeCode || r.CodeChallengeMethod != PKCES256 || !ValidPKCEString(r.CodeChallenge) {
			t.Fatalf("%q: accepted response_type %q, challenge %q (%q)", q, r.ResponseType, r.CodeChallenge, r.CodeChallengeMethod)
		}
		for i, s := range r.Scopes {
			if _, known := p.Scopes.Lookup(s); !known || slices.Contains(r.Scopes[:i], s) ||
				len(r.Client.Scopes) > 0 && !slices.Contains(r.Client.Scopes, s) {
				t.Fatalf("%q: accepted scopes %q for client scopes %q", q, r.Scopes, r.Client.Scopes)
			}
		}
		if r.MaxAge < -1 || HasPrompt(r.Prompt, PromptNone) && len(r.Prompt) > 1 {
			t.Fatalf("%q: accepted max_age %d, prompt %q", q, r.MaxAge, r.Prompt)
		}
	})
}
