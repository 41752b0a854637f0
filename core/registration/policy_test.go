package registration_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/registration"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
)

// Metadata that mod_http_oauth2's rules (DefaultRules, the built-in validate_registration policy) refuse and the
// host's own checks accept: each is registered once the built-in policy is switched off.
var defaultRuleCases = []struct{ name, body, code, field string }{
	{"no client_uri", `{"client_name":"A","redirect_uris":["https://a.example/cb"]}`, "invalid_client_metadata", "client_uri"},
	{"http client_uri", `{"client_name":"A","client_uri":"http://a.example/","redirect_uris":["http://a.example/cb"]}`, "invalid_client_metadata", "client_uri"},
	{"client_uri on an IP address", `{"client_name":"A","client_uri":"https://192.0.2.1/","redirect_uris":["https://192.0.2.1/cb"]}`, "invalid_client_metadata", "client_uri"},
	{"client_uri on loopback", `{"client_name":"A","client_uri":"https://localhost/","redirect_uris":["https://localhost/cb"]}`, "invalid_client_metadata", "client_uri"},
	{"web redirect on another host", `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://login.a-cdn.example/cb"]}`, "invalid_redirect_uri", "redirect_uris"},
	{"web redirect over http", `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["http://a.example/cb"]}`, "invalid_redirect_uri", "redirect_uris"},
	{"native redirect over https", `{"client_name":"A","client_uri":"https://a.example/","application_type":"native","redirect_uris":["https://a.example/cb"]}`, "invalid_redirect_uri", "redirect_uris"},
	{"post-logout redirect on another host", `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"post_logout_redirect_uris":["https://b.example/bye"]}`, "invalid_client_metadata", "post_logout_redirect_uris"},
	{"logo on another host", `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"logo_uri":"https://cdn.example/a.png"}`, "invalid_client_metadata", "logo_uri"},
	{"terms over http", `{"client_name":"A","client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"],"tos_uri":"http://a.example/tos"}`, "invalid_client_metadata", "tos_uri"},
}

// Metadata that the host's own checks refuse whatever the policy: switching the built-in policy off never
// admits these.
var hostCheckCases = []struct{ name, body, code, field string }{
	{"no client_name", `{"client_uri":"https://a.example/","redirect_uris":["https://a.example/cb"]}`, "invalid_client_metadata", "client_name"},
	{"javascript: redirect", `{"client_name":"A","redirect_uris":["javascript:alert(1)"]}`, "invalid_redirect_uri", "redirect_uris"},
	{"data: redirect", `{"client_name":"A","redirect_uris":["data:text/html,hi"]}`, "invalid_redirect_uri", "redirect_uris"},
	{"redirect with a fragment", `{"client_name":"A","redirect_uris":["https://a.example/cb#x"]}`, "invalid_redirect_uri", "redirect_uris"},
	{"redirect without a host", `{"client_name":"A","redirect_uris":["https:/cb"]}`, "invalid_redirect_uri", "redirect_uris"},
	{"redirect with a port but no host name", `{"client_name":"A","redirect_uris":["http://:80/cb"]}`, "invalid_redirect_uri", "redirect_uris"},
	{"client_uri with a port but no host name", `{"client_name":"A","client_uri":"https://:443/","redirect_uris":["https://a.example/cb"]}`, "invalid_client_metadata", "client_uri"},
	{"relative redirect", `{"client_name":"A","redirect_uris":["/cb"]}`, "invalid_redirect_uri", "redirect_uris"},
	{"redirect with userinfo", `{"client_name":"A","redirect_uris":["https://a.example@b.example/cb"]}`, "invalid_redirect_uri", "redirect_uris"},
	{"out-of-band for a web client", `{"client_name":"A","application_type":"web","redirect_uris":["urn:ietf:wg:oauth:2.0:oob"]}`, "invalid_redirect_uri", "redirect_uris"},
	{"out-of-band after logout", `{"client_name":"A","application_type":"native","redirect_uris":["http://127.0.0.1/cb"],"post_logout_redirect_uris":["urn:ietf:wg:oauth:2.0:oob"]}`, "invalid_client_metadata", "post_logout_redirect_uris"},
	{"no redirect for the code grant", `{"client_name":"A"}`, "invalid_redirect_uri", "redirect_uris"},
	{"ftp client_uri", `{"client_name":"A","client_uri":"ftp://a.example/","redirect_uris":["https://a.example/cb"]}`, "invalid_client_metadata", "client_uri"},
	{"client_uri with userinfo", `{"client_name":"A","client_uri":"https://a.example@b.example/","redirect_uris":["https://b.example/cb"]}`, "invalid_client_metadata", "client_uri"},
	{"logo_uri not a URL", `{"client_name":"A","redirect_uris":["https://a.example/cb"],"logo_uri":"logo.png"}`, "invalid_client_metadata", "logo_uri"},
	{"upper-case host", `{"client_name":"A","redirect_uris":["https://A.example/cb"]}`, "invalid_redirect_uri", "redirect_uris"},
}

// registrationChain is a policy chain as core/assembly builds it for registration: BuiltinPolicy as the
// built-in validate_registration, builtin_policy as given, and the Lua plugins (source texts) in order.
func registrationChain(t *testing.T, builtinOn bool, plugins ...string) *policy.Chain {
	t.Helper()
	dir := t.TempDir()
	var bindings []policy.Binding
	for i, src := range plugins {
		path := filepath.Join(dir, "p"+string(rune('a'+i))+".lua")
		if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		bindings = append(bindings, policy.Binding{Name: filepath.Base(path), Kind: "lua", Path: path,
			OnError: map[string]string{}})
	}
	m, err := policy.NewManager(context.Background(), policy.ManagerOptions{
		Options: policy.Options{Host: "test", Log: slog.New(slog.DiscardHandler),
			Builtin:       policy.Builtin{ValidateRegistration: registration.BuiltinPolicy},
			BuiltinPolicy: map[string]bool{policy.HookValidateRegistration: builtinOn}},
		Engines: map[string]policy.Engine{"lua": lua.New(lua.Options{})}, Bindings: bindings,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return m.Chain()
}

func wantRefused(t *testing.T, err error, code, field string) {
	t.Helper()
	var re *oauth.Error
	if !errors.As(err, &re) || re.Code != code || !strings.HasPrefix(re.Description, field+": ") {
		t.Fatalf("got %v, want %s naming %s", err, code, field)
	}
}

// TestBuiltinRegistrationPolicy: mod_http_oauth2's rules are the built-in validate_registration policy. On by
// default they refuse with their code and description; with builtin_policy.validate_registration false
// (NoDefaultRules, and the switch in the chain) the same metadata registers. The host's own checks refuse their
// cases in both setups.
func TestBuiltinRegistrationPolicy(t *testing.T) {
	ctx := context.Background()
	setups := []struct {
		name     string
		defaults bool
		reg      func(t *testing.T) *registration.Registry
	}{
		{"built-in on", true, func(t *testing.T) *registration.Registry { return newRegistry(t, nil, nil) }},
		{"built-in off", false, func(t *testing.T) *registration.Registry {
			return newRegistry(t, nil, func(o *registration.Options) {
				o.NoDefaultRules, o.Policy = true, registrationChain(t, false)
			})
		}},
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			r := s.reg(t)
			for _, tt := range defaultRuleCases {
				resp, err := r.Register(ctx, []byte(tt.body))
				switch {
				case s.defaults:
					wantRefused(t, err, tt.code, tt.field)
				case err != nil:
					t.Errorf("%s: refused with the built-in policy off: %v", tt.name, err)
				default:
					if _, err := r.Get(ctx, resp.ClientID); err != nil {
						t.Errorf("%s: the registered client does not resolve: %v", tt.name, err)
					}
				}
			}
			for _, tt := range hostCheckCases {
				_, err := r.Register(ctx, []byte(tt.body))
				wantRefused(t, err, tt.code, tt.field)
			}
			var schema map[string]any
			if err := json.Unmarshal(r.Schema(), &schema); err != nil {
				t.Fatal(err)
			}
			if required := schema["required"].([]any); (len(required) == 2) != s.defaults {
				t.Errorf("schema requires %v", required)
			}
		})
	}
}

// TestRegistrationPolicyPatch: a plugin's metadata_patch is re-validated by the host's checks and, while the
// built-in policy is on, by the default rules; host-owned members are ignored; a reject carries the plugin's
// error.
func TestRegistrationPolicyPatch(t *testing.T) {
	ctx := context.Background()
	const toHTTP = `return {abi = 1, validate_registration = function(req)
  return {decision = "accept", metadata_patch = {client_uri = "http://app.example.com/", client_id = "mine",
    client_name = "Patched"}}
end}`
	on := newRegistry(t, nil, nil)
	on.Policy = registrationChain(t, true, toHTTP)
	_, err := on.Register(ctx, []byte(webClient))
	wantRefused(t, err, "invalid_client_metadata", "client_uri")
	const otherHost = `return {abi = 1, validate_registration = function(req)
  return {decision = "accept", metadata_patch = {redirect_uris = {"https://elsewhere.example/cb"}}}
end}`
	on.Policy = registrationChain(t, true, otherHost)
	_, err = on.Register(ctx, []byte(webClient))
	wantRefused(t, err, "invalid_redirect_uri", "redirect_uris")
	// The default rules hold even when the chain's built-in policy is not BuiltinPolicy (here: none at all).
	on.Policy = registrationChain(t, false, otherHost)
	_, err = on.Register(ctx, []byte(webClient))
	wantRefused(t, err, "invalid_redirect_uri", "redirect_uris")

	off := newRegistry(t, nil, func(o *registration.Options) { o.NoDefaultRules = true })
	off.Policy = registrationChain(t, false, toHTTP)
	resp, err := off.Register(ctx, []byte(webClient))
	if err != nil {
		t.Fatal(err)
	}
	if resp.ClientURI != "http://app.example.com/" || resp.ClientName != "Patched" || resp.ClientID == "mine" {
		t.Errorf("patched registration %+v", resp.Metadata)
	}

	const blankName = `return {abi = 1, validate_registration = function(req)
  return {decision = "accept", metadata_patch = {client_name = "  "}}
end}`
	off.Policy = registrationChain(t, false, blankName)
	_, err = off.Register(ctx, []byte(webClient))
	wantRefused(t, err, "invalid_client_metadata", "client_name")

	const reject = `return {abi = 1, validate_registration = function(req)
  if req.metadata.client_uri:find("^http:") then
    return {decision = "reject", error = "invalid_redirect_uri", error_description = "no http here"}
  end
  return {decision = "accept"}
end}`
	off.Policy = registrationChain(t, false, reject)
	_, err = off.Register(ctx, []byte(`{"client_name":"A","client_uri":"http://a.example/","redirect_uris":["http://a.example/cb"]}`))
	var re *oauth.Error
	if !errors.As(err, &re) || re.Code != "invalid_redirect_uri" || re.Description != "no http here" {
		t.Fatalf("got %v", err)
	}
	register(t, off, webClient)
}
