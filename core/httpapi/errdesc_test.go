package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
)

// Error descriptions through the real server. RFC 6749 §4.1.2.1 and §5.2 and RFC 6750 §3 allow only
// %x20-21 / %x23-5B / %x5D-7E in error_description, and a description is no place to reflect what the request
// sent: a redirected error carries it to the client's page, a JSON one to whatever shows it.

// descMarker is a string that must never come back; hostile wraps it in what breaks quoting, HTML and the
// character set of RFC 6749 §5.2.
const descMarker = "zq7mrk"

var hostile = `"\§<script>alert(1)</script>é` + descMarker + "\u202e\"'"

// challengeDescRe finds the error_description auth-param of a challenge, a quoted-string (RFC 9110 §5.6.4)
// whose escapes are kept, so that a backslash in it shows.
var challengeDescRe = regexp.MustCompile(`error_description="((?:[^"\\]|\\.)*)"`)

// safeDescription reports what is wrong with an error_description found where, or "" when nothing is.
func safeDescription(where, desc string) string {
	if strings.Contains(desc, descMarker) {
		return where + " echoes the request: " + desc
	}
	for _, r := range desc {
		if r < 0x20 || r == '"' || r == '\\' || r > 0x7e {
			return where + " has " + string(r) + ", outside RFC 6749 section 5.2's set: " + desc
		}
	}
	return ""
}

// errDescProblems checks every error_description of an answer: the JSON body, the Location query and fragment,
// the WWW-Authenticate challenge, and, for a page, the page itself (which must not echo the marker either). It
// also reports an answer that is no error at all, so that a case cannot pass by succeeding.
func errDescProblems(p page) []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	errored := p.status >= 400
	if loc := p.header.Get("Location"); loc != "" {
		u, err := url.Parse(loc)
		if err != nil {
			return []string{"unparsable Location " + loc}
		}
		frag, _ := url.ParseQuery(u.Fragment)
		for name, v := range map[string]url.Values{"Location query": u.Query(), "Location fragment": frag} {
			if v.Get("error") != "" {
				errored = true
				add(safeDescription(name, v.Get("error_description")))
			}
		}
	}
	if ch := p.header.Get("WWW-Authenticate"); ch != "" {
		if strings.Contains(ch, descMarker) {
			add("WWW-Authenticate echoes the request: " + ch)
		}
		if m := challengeDescRe.FindStringSubmatch(ch); m != nil {
			add(safeDescription("WWW-Authenticate error_description", m[1]))
		}
	}
	switch ct := p.header.Get("Content-Type"); {
	case strings.HasPrefix(ct, "application/json"):
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if err := json.Unmarshal([]byte(p.body), &body); err != nil {
			add("unparsable JSON body " + p.body)
		}
		add(safeDescription("JSON error_description", body.Description))
	case strings.HasPrefix(ct, "text/html"):
		if strings.Contains(p.body, descMarker) {
			add("the error page echoes the request")
		}
	}
	if !errored {
		add("no error")
	}
	return out
}

// TestErrorDescriptionsNeverEchoInput walks bad requests with hostile values across every endpoint that answers
// errors to clients, and checks each error_description is in RFC 6749 §5.2's set and does not echo the request.
func TestErrorDescriptionsNeverEchoInput(t *testing.T) {
	e := newRegEnv(t, regConfig{}, withGrants(t, oauth.GrantClientCredentials, oauth.GrantPassword),
		withConfig(func(c *config.Config) { c.GrantTypes = append(c.GrantTypes, oauth.GrantImplicit) }))
	e.addUser("alice", "correct horse battery")
	web, _, _ := e.flowClients()
	spa := &store.Client{ID: "spa", Host: e.host.ID, Name: "SPA", RedirectURIs: []string{"https://spa.example.com/cb"},
		GrantTypes: []string{oauth.GrantImplicit}, TokenEndpointAuthMethod: oauth.AuthNone}
	if err := e.st.Clients().Create(context.Background(), spa); err != nil {
		t.Fatal(err)
	}
	e.tkClient("rp", "rp-secret", oauth.AuthClientSecretBasic, true)
	e.deviceClient("tv")
	ccSecret := e.grantClient("svc", []string{oauth.GrantClientCredentials, oauth.GrantPassword}, "api")
	rp, svc := tkBasic("rp", "rp-secret"), tkBasic("svc", ccSecret)
	b := e.browser()

	authz := func(kv ...string) string { return authzQuery(web, webRedirect, "openid", kv...) }
	implicit := func(kv ...string) string {
		v := url.Values{"client_id": {"spa"}, "response_type": {"token"}, "redirect_uri": {"https://spa.example.com/cb"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return "/oauth2/authorize?" + v.Encode()
	}
	repeated := url.Values{hostile: {"a", "b"}}.Encode()
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	const formType = "application/x-www-form-urlencoded"
	reg := func(members string) string {
		return `{"client_name":"App","client_uri":"https://app.example.com/","redirect_uris":["https://app.example.com/cb"]` +
			members + `}`
	}
	js, _ := json.Marshal(hostile)
	h := string(js) // hostile as a JSON string

	get := func(path string) func() page { return func() page { return b.get(path) } }
	post := func(path, ct, body, auth string) func() page {
		return func() page { return e.tkPost(path, ct, body, auth) }
	}
	bearer := func(auth string) func() page {
		return func() page {
			req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userinfo", nil)
			req.Header.Set("Authorization", auth)
			return b.do(req)
		}
	}
	tests := []struct {
		name string
		do   func() page
	}{
		// The authorization endpoint: shown before the client and redirect URI are verified...
		{"authorize: unknown client_id", get(authzQuery(hostile, webRedirect, "openid"))},
		{"authorize: unregistered redirect_uri", get(authzQuery(web, hostile, "openid"))},
		{"authorize: repeated parameter", get(authz() + "&" + repeated)},
		// ...redirected after, in the query...
		{"authorize: response_type", get(authz("response_type", hostile))},
		{"authorize: response_mode", get(authz("response_mode", hostile))},
		{"authorize: code_challenge_method", get(authz("code_challenge_method", hostile))},
		{"authorize: code_challenge", get(authz("code_challenge", hostile))},
		{"authorize: max_age", get(authz("max_age", hostile))},
		{"authorize: id_token_hint", get(authz("id_token_hint", hostile))},
		{"authorize: prompt", get(authz("prompt", "none "+hostile))},
		{"authorize: request", get(authz("request", hostile))},
		{"authorize: request_uri", get(authz("request_uri", hostile))},
		// ...and in the fragment for the implicit grant.
		{"authorize implicit: response_mode", get(implicit("response_mode", hostile))},
		{"authorize implicit: prompt", get(implicit("prompt", "none "+hostile))},
		// The token endpoint.
		{"token: grant_type", post("/oauth2/token", formType, form("grant_type", hostile), rp)},
		{"token: repeated parameter", post("/oauth2/token", formType, repeated, rp)},
		{"token: unknown client in the body", post("/oauth2/token", formType,
			form("grant_type", "authorization_code", "client_id", hostile, "client_secret", hostile), "")},
		{"token: unknown client in Basic", post("/oauth2/token", formType, form("grant_type", "authorization_code"),
			tkBasic(hostile, hostile))},
		{"token: malformed Authorization", post("/oauth2/token", formType, form("grant_type", "authorization_code"),
			"Basic "+hostile)},
		{"token: content type", post("/oauth2/token", hostile, form("grant_type", "authorization_code"), rp)},
		{"token: code", post("/oauth2/token", formType, form("grant_type", "authorization_code", "code", hostile,
			"redirect_uri", hostile, "code_verifier", hostile), rp)},
		{"token: refresh_token", post("/oauth2/token", formType, form("grant_type", "refresh_token",
			"refresh_token", hostile, "scope", hostile), rp)},
		{"token: client_credentials scope", post("/oauth2/token", formType, form("grant_type", "client_credentials",
			"scope", hostile), svc)},
		{"token: password", post("/oauth2/token", formType, form("grant_type", "password", "username", hostile,
			"password", hostile, "scope", hostile), svc)},
		{"token: device_code", post("/oauth2/token", formType, form("grant_type", oauth.GrantDeviceCode,
			"device_code", hostile, "client_id", "tv"), "")},
		// Revocation and introspection.
		{"revoke: repeated parameter", post("/oauth2/revoke", formType, repeated, rp)},
		{"revoke: unknown client", post("/oauth2/revoke", formType, form("token", hostile), tkBasic(hostile, "x"))},
		{"revoke: no token", post("/oauth2/revoke", formType, form("token_type_hint", hostile), rp)},
		{"introspect: repeated parameter", post("/oauth2/introspect", formType, repeated, rp)},
		{"introspect: unknown client", post("/oauth2/introspect", formType, form("token", hostile), tkBasic(hostile, "x"))},
		{"introspect: no token", post("/oauth2/introspect", formType, form("token_type_hint", hostile), rp)},
		// Device authorization.
		{"device: unknown client", post("/oauth2/device", formType, form("client_id", hostile, "scope", hostile), "")},
		{"device: repeated parameter", post("/oauth2/device", formType, repeated+"&client_id=tv", "")},
		{"device: client without the grant", post("/oauth2/device", formType, form("scope", hostile), rp)},
		// Registration.
		{"register: content type", post("/oauth2/register", hostile, reg(""), "")},
		{"register: not JSON", post("/oauth2/register", "application/json", `{"client_name":`+descMarker+`}`, "")},
		{"register: member type", post("/oauth2/register", "application/json", reg(`,"scope":[`+h+`]`), "")},
		{"register: client_uri", post("/oauth2/register", "application/json",
			`{"client_name":"App","client_uri":`+h+`,"redirect_uris":["https://app.example.com/cb"]}`, "")},
		{"register: client_uri host", post("/oauth2/register", "application/json",
			`{"client_name":"App","client_uri":"https://`+descMarker+`.example/","redirect_uris":["https://app.example.com/cb"]}`, "")},
		{"register: client_uri upper case", post("/oauth2/register", "application/json",
			`{"client_name":"App","client_uri":"https://`+strings.ToUpper(descMarker)+`.example/"}`, "")},
		{"register: redirect_uris", post("/oauth2/register", "application/json",
			`{"client_name":"App","client_uri":"https://app.example.com/","redirect_uris":[`+h+`]}`, "")},
		{"register: redirect_uris scheme", post("/oauth2/register", "application/json",
			`{"client_name":"App","client_uri":"https://app.example.com/","redirect_uris":["`+descMarker+`:/cb"]}`, "")},
		{"register: redirect_uris twice", post("/oauth2/register", "application/json",
			`{"client_name":"App","client_uri":"https://app.example.com/","redirect_uris":["https://app.example.com/`+
				descMarker+`","https://app.example.com/`+descMarker+`"]}`, "")},
		{"register: redirect_uris on another host", post("/oauth2/register", "application/json",
			`{"client_name":"App","client_uri":"https://app.example.com/","redirect_uris":["https://`+descMarker+`.example/cb"]}`, "")},
		{"register: redirect_uris too long", post("/oauth2/register", "application/json",
			`{"client_name":"App","client_uri":"https://app.example.com/","redirect_uris":["https://app.example.com/`+
				descMarker+strings.Repeat("x", 600)+`"]}`, "")},
		{"register: fragment", post("/oauth2/register", "application/json",
			`{"client_name":"App","client_uri":"https://app.example.com/","redirect_uris":["https://app.example.com/cb#`+descMarker+`"]}`, "")},
		{"register: logo_uri", post("/oauth2/register", "application/json", reg(`,"logo_uri":"https://`+descMarker+`.example/l.png"`), "")},
		{"register: post_logout_redirect_uris", post("/oauth2/register", "application/json",
			reg(`,"post_logout_redirect_uris":[`+h+`]`), "")},
		{"register: grant_types", post("/oauth2/register", "application/json", reg(`,"grant_types":[`+h+`]`), "")},
		{"register: grant_types twice", post("/oauth2/register", "application/json",
			reg(`,"grant_types":["authorization_code","authorization_code"]`), "")},
		{"register: response_types", post("/oauth2/register", "application/json", reg(`,"response_types":[`+h+`]`), "")},
		{"register: application_type", post("/oauth2/register", "application/json", reg(`,"application_type":`+h), "")},
		{"register: token_endpoint_auth_method", post("/oauth2/register", "application/json",
			reg(`,"token_endpoint_auth_method":`+h), "")},
		{"register: scope", post("/oauth2/register", "application/json", reg(`,"scope":`+h), "")},
		{"register: id_token_signed_response_alg", post("/oauth2/register", "application/json",
			reg(`,"id_token_signed_response_alg":`+h), "")},
		{"register: client_name", post("/oauth2/register", "application/json",
			`{"client_name":"\u0007`+descMarker+`","client_uri":"https://app.example.com/"}`, "")},
		// UserInfo: the Bearer challenge.
		{"userinfo: unknown token", bearer("Bearer " + hostile)},
		{"userinfo: token twice", func() page {
			return e.tkPost("/oauth2/userinfo", formType, form("access_token", hostile), "Bearer "+hostile)
		}},
		// Anything else under /oauth2/.
		{"unknown path", get("/oauth2/" + descMarker)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.do()
			for _, problem := range errDescProblems(p) {
				t.Errorf("%s (%d, Location %q)", problem, p.status, p.header.Get("Location"))
			}
		})
	}
}
