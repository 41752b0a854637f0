package httpapi

import (
	"encoding/json"
	"github.com/assentry/assentry/core/oauth"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/registration"
)

// Tests of dynamic client registration at /oauth2/register through a real fiber server and Badger store.

// regConfig is the registration setup of a test host; the zero value is open registration with a 32-byte key.
type regConfig struct {
	key, legacyHost, initialAccessToken string
	ttl                                 time.Duration
	now                                 func() time.Time
	perIP                               *config.Bucket // rate_limits.register_per_ip; nil: the test host's
}

// regEnv is a test server with registration on.
type regEnv struct {
	*testEnv
	reg *registration.Registry
}

// newRegEnv starts a test server whose host has registration configured, so that the builder puts the registry
// behind /oauth2/register and, after the static clients, in every client lookup (authorize, token, logout).
func newRegEnv(t *testing.T, cfg regConfig, opts ...envOption) *regEnv {
	t.Helper()
	if cfg.key == "" {
		cfg.key = "0123456789abcdef0123456789abcdef"
	}
	opts = append(opts, withConfig(func(c *config.Config) {
		c.Registration = config.Registration{Key: cfg.key, LegacyHost: cfg.legacyHost,
			InitialAccessToken: cfg.initialAccessToken}
		if cfg.ttl != 0 {
			ttl := config.Duration(cfg.ttl)
			c.Registration.TTL = &ttl
		}
		if cfg.perIP != nil {
			c.RateLimits.RegisterPerIP = cfg.perIP
		}
	}))
	if cfg.now != nil {
		opts = append(opts, withClock(cfg.now))
	}
	e := newEnv(t, opts...)
	return &regEnv{testEnv: e, reg: e.svc.Registry}
}

// registerRaw posts a registration with a content type and optional Authorization header.
func (e *testEnv) registerRaw(contentType, body, authorization string) page {
	e.t.Helper()
	return e.tkPost("/oauth2/register", contentType, body, authorization)
}

// registered is a successful registration answer.
type registered struct {
	ClientID              string   `json:"client_id"`
	ClientSecret          string   `json:"client_secret"`
	ClientIDIssuedAt      int64    `json:"client_id_issued_at"`
	ClientSecretExpiresAt *int64   `json:"client_secret_expires_at"`
	ClientName            string   `json:"client_name"`
	ApplicationType       string   `json:"application_type"`
	RedirectURIs          []string `json:"redirect_uris"`
	GrantTypes            []string `json:"grant_types"`
	ResponseTypes         []string `json:"response_types"`
	AuthMethod            string   `json:"token_endpoint_auth_method"`
	Scope                 string   `json:"scope"`
}

// register registers metadata and fails the test unless the answer is 201 with credentials.
func (e *testEnv) register(metadata string) registered {
	e.t.Helper()
	p := e.registerRaw("application/json", metadata, "")
	if p.status != http.StatusCreated {
		e.t.Fatalf("register %s: %d %s", metadata, p.status, p.body)
	}
	var r registered
	if err := json.Unmarshal([]byte(p.body), &r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// readmeNative is the README's native registration example.
const readmeNative = `{"application_type":"native","client_name":"Desktop Chat App","client_uri":"https://app.example.org/",
	"contacts":["support@example.org"],"policy_uri":"https://app.example.org/about/privacy",
	"redirect_uris":["http://localhost:8080/redirect","org.example.app:/redirect"],"scope":"xmpp openid offline_access",
	"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none",
	"software_id":"32a0a8f3-4016-5478-905a-c373156eca73","software_version":"3.4.1","tos_uri":"https://app.example.org/about/terms"}`

// TestRegistrationRules is a table of every built-in registration rule (docs/architecture.md §9): metadata that is
// accepted, and metadata that is refused with the RFC 7591 §3.2.2 error code and the member named.
func TestRegistrationRules(t *testing.T) {
	e := newRegEnv(t, regConfig{})
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name  string
		body  string
		want  string // "" accepted; else the error code
		field string // the member the description must name
		check func(t *testing.T, r registered, body string)
	}{
		// Accepted, with the defaults and inferences the answer must show.
		{name: "minimal web client (README example)", body: `{"client_name":"My Application","client_uri":"https://app.example.com/",
			"redirect_uris":["https://app.example.com/redirect"]}`,
			check: func(t *testing.T, r registered, _ string) {
				if r.ApplicationType != "web" || r.AuthMethod != "client_secret_basic" || strings.Join(r.GrantTypes, " ") != "authorization_code" ||
					strings.Join(r.ResponseTypes, " ") != "code" || len(r.ClientSecret) != 64 || r.ClientSecretExpiresAt == nil || *r.ClientSecretExpiresAt != 0 {
					t.Errorf("defaults: %+v", r)
				}
			}},
		{name: "native client (README example)", body: readmeNative, check: func(t *testing.T, r registered, _ string) {
			if r.ClientSecret != "" || r.ApplicationType != "native" || r.Scope != "xmpp openid offline_access" {
				t.Errorf("%+v", r)
			}
		}},
		{name: "native inferred from a loopback redirect", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["http://127.0.0.1:9000/cb"]}`,
			check: wantAppType("native")},
		{name: "native inferred from [::1]", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["http://[::1]/cb"]}`,
			check: wantAppType("native")},
		{name: "native inferred from a private-use scheme", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["com.example.app:/cb"]}`,
			check: wantAppType("native")},
		{name: "native inferred from the first redirect, then https refused", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["com.example.app:/cb","https://a.example/cb"]}`,
			want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "native inferred from the OOB URN", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["urn:ietf:wg:oauth:2.0:oob"]}`,
			check: wantAppType("native")},
		{name: "web inferred from the first redirect, then loopback refused", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb","http://127.0.0.1/cb"]}`,
			want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "web redirect on another port of the host", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example:8443/cb?x=1"]}`},
		{name: "informative URIs on the client's host", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],
			"logo_uri":"https://a.example/logo.png","tos_uri":"https://a.example/tos#section-2","policy_uri":"https://a.example:8443/privacy"}`},
		{name: "punycode host", body: `{"client_name":"Bücher","client_uri":"https://xn--bcher-kva.example/","redirect_uris":["https://xn--bcher-kva.example/cb"]}`},
		{name: "unknown members are ignored", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],
			"jwks_uri":"https://evil.example/jwks","client_name#fr":"B","sector_identifier_uri":"x","extra":{"deep":[1,2]}}`,
			check: func(t *testing.T, r registered, body string) {
				if strings.Contains(decodeSegment(t, strings.Split(r.ClientID, ".")[1]), "evil") {
					t.Error("an unknown member was registered")
				}
			}},
		{name: "public client with PKCE-capable grants", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["http://127.0.0.1/cb"],
			"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"]}`,
			check: func(t *testing.T, r registered, _ string) {
				if r.ClientSecret != "" || r.ClientSecretExpiresAt != nil {
					t.Errorf("a public client got a secret: %+v", r)
				}
			}},
		{name: "client_secret_post", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"token_endpoint_auth_method":"client_secret_post"}`},
		{name: "id_token algorithm of the host", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"id_token_signed_response_alg":"EdDSA"}`},
		{name: "scope normalised", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"scope":" openid  profile openid "}`,
			check: func(t *testing.T, r registered, _ string) {
				if r.Scope != "openid profile" {
					t.Errorf("scope %q", r.Scope)
				}
			}},
		{name: "post-logout redirects", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"post_logout_redirect_uris":["https://a.example/bye"]}`},
		{name: "nulls are absent", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"logo_uri":null,"grant_types":null}`},

		// client_name
		{name: "client_name missing", body: `{"client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"]}`, want: "invalid_client_metadata", field: "client_name"},
		{name: "client_name blank", body: `{"client_name":"  ","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"]}`, want: "invalid_client_metadata", field: "client_name"},
		{name: "client_name control characters", body: `{"client_name":"A\u0007B","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"]}`, want: "invalid_client_metadata", field: "client_name"},
		{name: "client_name too long", body: `{"client_name":"` + long(201) + `","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"]}`, want: "invalid_client_metadata", field: "client_name"},
		{name: "client_name not a string", body: `{"client_name":42,"client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"]}`, want: "invalid_client_metadata", field: "client_name"},
		// client_uri
		{name: "client_uri missing", body: `{"client_name":"A","redirect_uris":["https://a.example/cb"]}`, want: "invalid_client_metadata", field: "client_uri"},
		{name: "client_uri http", body: `{"client_name":"A","client_uri":"http://a.example/","redirect_uris":["https://a.example/cb"]}`, want: "invalid_client_metadata", field: "client_uri"},
		{name: "client_uri localhost", body: `{"client_name":"A","client_uri":"https://localhost/","redirect_uris":["https://localhost/cb"]}`, want: "invalid_client_metadata", field: "client_uri"},
		{name: "client_uri loopback IP", body: `{"client_name":"A","client_uri":"https://127.0.0.1/","redirect_uris":["https://127.0.0.1/cb"]}`, want: "invalid_client_metadata", field: "client_uri"},
		{name: "client_uri IPv6 loopback", body: `{"client_name":"A","client_uri":"https://[::1]/","redirect_uris":["https://[::1]/cb"]}`, want: "invalid_client_metadata", field: "client_uri"},
		{name: "client_uri IP literal", body: `{"client_name":"A","client_uri":"https://93.184.216.34/","redirect_uris":["https://93.184.216.34/cb"]}`, want: "invalid_client_metadata", field: "client_uri"},
		{name: "client_uri userinfo", body: `{"client_name":"A","client_uri":"https://a.example@evil.example/","redirect_uris":["https://evil.example/cb"]}`, want: "invalid_client_metadata", field: "client_uri"},
		{name: "client_uri upper-case host", body: `{"client_name":"A","client_uri":"https://A.example/","redirect_uris":["https://A.example/cb"]}`, want: "invalid_client_metadata", field: "client_uri"},
		{name: "client_uri relative", body: `{"client_name":"A","client_uri":"a.example","redirect_uris":["https://a.example/cb"]}`, want: "invalid_client_metadata", field: "client_uri"},
		{name: "client_uri bad port", body: `{"client_name":"A","client_uri":"https://a.example:70000/","redirect_uris":["https://a.example/cb"]}`, want: "invalid_client_metadata", field: "client_uri"},
		// application_type
		{name: "application_type unknown", body: `{"client_name":"A","client_uri":"https://a.example/","application_type":"desktop","redirect_uris":["https://a.example/cb"]}`, want: "invalid_client_metadata", field: "application_type"},
		// redirect_uris, web
		{name: "redirect_uris missing for the code grant", body: `{"client_name":"A","client_uri":"https://a.example/"}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "redirect_uris empty for the code grant", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":[]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "web redirect over http", body: `{"client_name":"A","client_uri":"https://a.example/","application_type":"web","redirect_uris":["http://a.example/cb"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "web redirect on another host", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://evil.example/cb"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "web redirect on a subdomain", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://www.a.example/cb"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "web redirect with a fragment", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb#x"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "web redirect with an empty fragment", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb#"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "web redirect with userinfo", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://user@a.example/cb"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "web client and the OOB URN", body: `{"client_name":"A","client_uri":"https://a.example/","application_type":"web","redirect_uris":["urn:ietf:wg:oauth:2.0:oob"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "redirect_uris listed twice", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb","https://a.example/cb"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "redirect_uris not an array", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":"https://a.example/cb"}`, want: "invalid_client_metadata", field: "redirect_uris"},
		{name: "too many redirect_uris", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/1","https://a.example/2","https://a.example/3",
			"https://a.example/4","https://a.example/5","https://a.example/6","https://a.example/7","https://a.example/8","https://a.example/9","https://a.example/10","https://a.example/11"]}`,
			want: "invalid_redirect_uri", field: "redirect_uris"},
		// redirect_uris, native
		{name: "native redirect over https", body: `{"client_name":"A","client_uri":"https://a.example/","application_type":"native","redirect_uris":["https://a.example/cb"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "native loopback over https", body: `{"client_name":"A","client_uri":"https://a.example/","application_type":"native","redirect_uris":["https://127.0.0.1/cb"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "native http on a named host", body: `{"client_name":"A","client_uri":"https://a.example/","application_type":"native","redirect_uris":["http://a.example/cb"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "native http on 127.0.0.2", body: `{"client_name":"A","client_uri":"https://a.example/","application_type":"native","redirect_uris":["http://127.0.0.2/cb"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "native scheme without a dot", body: `{"client_name":"A","client_uri":"https://a.example/","application_type":"native","redirect_uris":["myapp:/cb"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "native private-use scheme with a fragment", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["com.example.app:/cb#f"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "native loopback with a fragment", body: `{"client_name":"A","client_uri":"https://a.example/","application_type":"native","redirect_uris":["http://127.0.0.1/cb#f"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "the device grant URN as a redirect", body: `{"client_name":"A","client_uri":"https://a.example/","application_type":"native","redirect_uris":["urn:ietf:params:oauth:grant-type:device_code"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		{name: "javascript: redirect", body: `{"client_name":"A","client_uri":"https://a.example/","application_type":"native","redirect_uris":["javascript:alert(1)"]}`, want: "invalid_redirect_uri", field: "redirect_uris"},
		// post_logout_redirect_uris
		{name: "post-logout redirect on another host", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"post_logout_redirect_uris":["https://evil.example/"]}`, want: "invalid_client_metadata", field: "post_logout_redirect_uris"},
		{name: "post-logout redirect to the OOB URN", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["urn:ietf:wg:oauth:2.0:oob"],"post_logout_redirect_uris":["urn:ietf:wg:oauth:2.0:oob"]}`, want: "invalid_client_metadata", field: "post_logout_redirect_uris"},
		// informative URIs
		{name: "logo_uri on another host", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"logo_uri":"https://cdn.example/logo.png"}`, want: "invalid_client_metadata", field: "logo_uri"},
		{name: "tos_uri over http", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"tos_uri":"http://a.example/tos"}`, want: "invalid_client_metadata", field: "tos_uri"},
		{name: "policy_uri on another host", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"policy_uri":"https://b.example/privacy"}`, want: "invalid_client_metadata", field: "policy_uri"},
		{name: "policy_uri with userinfo", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"policy_uri":"https://a.example@b.example/"}`, want: "invalid_client_metadata", field: "policy_uri"},
		// grant_types and response_types
		{name: "implicit grant is not enabled", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"grant_types":["implicit"]}`, want: "invalid_client_metadata", field: "grant_types"},
		{name: "password grant is not enabled", body: `{"client_name":"A","client_uri":"https://a.example/","grant_types":["password"]}`, want: "invalid_client_metadata", field: "grant_types"},
		{name: "unknown grant", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"grant_types":["magic"]}`, want: "invalid_client_metadata", field: "grant_types"},
		{name: "grant_types empty", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"grant_types":[]}`, want: "invalid_client_metadata", field: "grant_types"},
		{name: "grant listed twice", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"grant_types":["authorization_code","authorization_code"]}`, want: "invalid_client_metadata", field: "grant_types"},
		{name: "refresh_token alone", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"grant_types":["refresh_token"]}`, want: "invalid_client_metadata", field: "grant_types"},
		{name: "token response type is not enabled", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"response_types":["code","token"]}`, want: "invalid_client_metadata", field: "response_types"},
		{name: "code grant without the code response type", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"response_types":[]}`, want: "invalid_client_metadata", field: "response_types"},
		// token_endpoint_auth_method
		{name: "auth method not supported", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}`, want: "invalid_client_metadata", field: "token_endpoint_auth_method"},
		// id_token_signed_response_alg
		{name: "id_token algorithm the host lacks", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"id_token_signed_response_alg":"RS256"}`, want: "invalid_client_metadata", field: "id_token_signed_response_alg"},
		{name: "id_token algorithm none", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"id_token_signed_response_alg":"none"}`, want: "invalid_client_metadata", field: "id_token_signed_response_alg"},
		// the other members
		{name: "scope with a quote", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"scope":"openid \"x"}`, want: "invalid_client_metadata", field: "scope"},
		{name: "contacts not an array", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"contacts":"a@example.org"}`, want: "invalid_client_metadata", field: "contacts"},
		{name: "contacts with a blank", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"contacts":[""]}`, want: "invalid_client_metadata", field: "contacts"},
		{name: "software_id too long", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"software_id":"` + long(201) + `"}`, want: "invalid_client_metadata", field: "software_id"},
		{name: "software_version with a newline", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"software_version":"1\n2"}`, want: "invalid_client_metadata", field: "software_version"},
		// sizes and shape
		{name: "client_id over 2 KiB", body: `{"client_name":"` + long(200) + `","client_uri":"https://a.example/","redirect_uris":["https://a.example/` + long(450) +
			`","https://a.example/2` + long(450) + `","https://a.example/3` + long(450) + `"]}`, want: "invalid_client_metadata", field: "client_id"},
		{name: "not an object", body: `["client_name"]`, want: "invalid_client_metadata"},
		{name: "malformed JSON", body: `{"client_name":"A",`, want: "invalid_client_metadata"},
		{name: "trailing garbage", body: `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"]} x`, want: "invalid_client_metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.registerRaw("application/json", tt.body, "")
			m := jsonOf(t, p)
			if tt.want == "" {
				if p.status != http.StatusCreated {
					t.Fatalf("refused: %d %s", p.status, p.body)
				}
				var r registered
				if err := json.Unmarshal([]byte(p.body), &r); err != nil {
					t.Fatal(err)
				}
				if tt.check != nil {
					tt.check(t, r, tt.body)
				}
				return
			}
			desc, _ := m["error_description"].(string)
			if p.status != http.StatusBadRequest || m["error"] != tt.want || !strings.Contains(desc, tt.field) {
				t.Fatalf("got %d %v, want 400 %s naming %q", p.status, p.body, tt.want, tt.field)
			}
		})
	}
}

func wantAppType(want string) func(*testing.T, registered, string) {
	return func(t *testing.T, r registered, _ string) {
		if r.ApplicationType != want {
			t.Errorf("application_type %q, want %q", r.ApplicationType, want)
		}
	}
}

// TestRegisterEndpoint: the answer's shape and headers, the schema, the media type, CORS, the metadata, and
// 404 for both methods while registration is off.
func TestRegisterEndpoint(t *testing.T) {
	e := newRegEnv(t, regConfig{}, withCORS("https://spa.example.com"))
	p := e.registerRaw("application/json; charset=utf-8", `{"client_name":"My Application","client_uri":"https://app.example.com/",
		"redirect_uris":["https://app.example.com/redirect"],"contacts":["dev@app.example.com"]}`, "")
	if p.status != http.StatusCreated {
		t.Fatalf("register: %d %s", p.status, p.body)
	}
	m := jsonOf(t, p) // also checks Cache-Control: no-store and Pragma
	for _, k := range []string{"client_id", "client_id_issued_at", "client_secret", "client_secret_expires_at", "client_name",
		"client_uri", "redirect_uris", "contacts", "application_type", "grant_types", "response_types", "token_endpoint_auth_method"} {
		if _, ok := m[k]; !ok {
			t.Errorf("the answer lacks %s: %s", k, p.body)
		}
	}
	for _, k := range []string{"nonce", "iat", "exp", "iss"} {
		if _, ok := m[k]; ok {
			t.Errorf("the answer has the client_id's claim %s", k)
		}
	}
	if now := time.Now().Unix(); m["client_id_issued_at"].(float64) < float64(now-5) || m["client_id_issued_at"].(float64) > float64(now+5) {
		t.Errorf("client_id_issued_at %v", m["client_id_issued_at"])
	}

	// The schema (mod_http_oauth2 serves it at GET).
	g := e.browser().get("/oauth2/register")
	if g.status != http.StatusOK || g.header.Get("Content-Type") != "application/schema+json" || !strings.Contains(g.body, `"required":["client_name","client_uri"]`) {
		t.Fatalf("schema: %d %q %s", g.status, g.header.Get("Content-Type"), g.body)
	}
	// Wrong media types.
	for _, ct := range []string{"application/x-www-form-urlencoded", "text/plain", "", "application/jsonx"} {
		p := e.registerRaw(ct, `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"]}`, "")
		if m := jsonOf(t, p); p.status != http.StatusBadRequest || m["error"] != "invalid_client_metadata" {
			t.Errorf("content type %q: %d %s", ct, p.status, p.body)
		}
	}
	// Other methods.
	req, _ := http.NewRequest(http.MethodPut, e.base+"/oauth2/register", nil)
	if p := e.browser().do(req); p.status != http.StatusMethodNotAllowed || p.header.Get("Allow") != "GET, POST" {
		t.Errorf("PUT: %d %q", p.status, p.header.Get("Allow"))
	}
	// CORS, like the other JSON endpoints.
	req, _ = http.NewRequest(http.MethodOptions, e.base+"/oauth2/register", nil)
	req.Header.Set("Origin", "https://spa.example.com")
	if p := e.browser().do(req); p.status != http.StatusNoContent || p.header.Get("Access-Control-Allow-Origin") != "https://spa.example.com" ||
		!strings.Contains(p.header.Get("Access-Control-Allow-Headers"), "Content-Type") {
		t.Errorf("preflight: %d %v", p.status, p.header)
	}
	req, _ = http.NewRequest(http.MethodPost, e.base+"/oauth2/register", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://spa.example.com")
	if p := e.browser().do(req); p.header.Get("Access-Control-Allow-Origin") != "https://spa.example.com" {
		t.Errorf("POST from an allowed origin: %v", p.header)
	}
	// The metadata documents advertise the endpoint (RFC 8414 §2).
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		if p := e.browser().get(path); !strings.Contains(p.body, `"registration_endpoint":"`+e.base+`/oauth2/register"`) {
			t.Errorf("%s lacks registration_endpoint: %s", path, p.body)
		}
	}

	// Registration off: 404 for both methods, and no registration_endpoint.
	off := newEnv(t)
	if p := off.registerRaw("application/json", `{"client_name":"A"}`, ""); p.status != http.StatusNotFound {
		t.Errorf("POST with registration off: %d %s", p.status, p.body)
	}
	if p := off.browser().get("/oauth2/register"); p.status != http.StatusNotFound {
		t.Errorf("GET with registration off: %d %s", p.status, p.body)
	}
	if p := off.browser().get("/.well-known/oauth-authorization-server"); strings.Contains(p.body, "registration_endpoint") {
		t.Errorf("registration_endpoint advertised while off: %s", p.body)
	}
}

// TestRegisterRateLimit: registrations are limited per client address (docs/architecture.md §5: 429, Retry-After,
// temporarily_unavailable); refused registrations count too.
func TestRegisterRateLimit(t *testing.T) {
	e := newRegEnv(t, regConfig{perIP: every(2, time.Hour)})
	ok := `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"]}`
	if p := e.registerRaw("application/json", ok, ""); p.status != http.StatusCreated {
		t.Fatalf("first: %d", p.status)
	}
	if p := e.registerRaw("application/json", `{}`, ""); p.status != http.StatusBadRequest {
		t.Fatalf("second (refused): %d", p.status)
	}
	p := e.registerRaw("application/json", ok, "")
	m := jsonOf(t, p)
	if p.status != http.StatusTooManyRequests || m["error"] != "temporarily_unavailable" || p.header.Get("Retry-After") != "3600" {
		t.Fatalf("third: %d %q %s", p.status, p.header.Get("Retry-After"), p.body)
	}
}

// TestRegisterInitialAccessToken: with registration.initial_access_token, registering needs it as a Bearer
// token (RFC 7591 §3); missing or wrong is 401 with WWW-Authenticate: Bearer error="invalid_token".
func TestRegisterInitialAccessToken(t *testing.T) {
	e := newRegEnv(t, regConfig{initialAccessToken: "iat-0123456789"})
	body := `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"]}`
	tests := []struct {
		name, auth string
		want       int
	}{
		{"missing", "", http.StatusUnauthorized},
		{"wrong", "Bearer iat-0123456788", http.StatusUnauthorized},
		{"a prefix", "Bearer iat-012345678", http.StatusUnauthorized},
		{"another scheme", "Basic aWF0LTAxMjM0NTY3ODk=", http.StatusUnauthorized},
		{"right", "Bearer iat-0123456789", http.StatusCreated},
		{"right, scheme in lower case", "bearer iat-0123456789", http.StatusCreated},
	}
	for _, tt := range tests {
		p := e.registerRaw("application/json", body, tt.auth)
		m := jsonOf(t, p)
		if p.status != tt.want {
			t.Errorf("%s: %d %s", tt.name, p.status, p.body)
			continue
		}
		if tt.want == http.StatusUnauthorized && (m["error"] != "invalid_token" || p.header.Get("WWW-Authenticate") != `Bearer error="invalid_token"`) {
			t.Errorf("%s: %q %s", tt.name, p.header.Get("WWW-Authenticate"), p.body)
		}
	}
}

// TestRegisterDeviceClient: the device grant is on by default, so a client may register for it alone (no
// redirect URI); it is a native client, as in mod_http_oauth2. A host without the grant refuses it.
func TestRegisterDeviceClient(t *testing.T) {
	const device = `{"client_name":"TV","client_uri":"https://tv.example/","grant_types":["urn:ietf:params:oauth:grant-type:device_code"],"token_endpoint_auth_method":"none"}`
	e := newRegEnv(t, regConfig{})
	if p := e.registerRaw("application/json", device, ""); p.status != http.StatusCreated ||
		!strings.Contains(p.body, `"application_type":"native"`) {
		t.Fatalf("device client: %d %s", p.status, p.body)
	}
	off := newRegEnv(t, regConfig{}, withGrantTypes(oauth.GrantAuthorizationCode, oauth.GrantRefreshToken))
	if p := off.registerRaw("application/json", device, ""); p.status != http.StatusBadRequest ||
		!strings.Contains(p.body, "invalid_client_metadata") {
		t.Fatalf("device client on a host without the grant: %d %s", p.status, p.body)
	}
}
