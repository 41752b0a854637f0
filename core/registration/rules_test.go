package registration_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/registration"
)

// TestRulesWithMoreGrants covers the rules that only a host enabling more grants than this version serves can
// reach (the device grant, client credentials, password): the HTTP table in core/httpapi covers the others.
func TestRulesWithMoreGrants(t *testing.T) {
	rules := registration.Rules{GrantTypes: []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken,
		oauth.GrantDeviceCode, oauth.GrantClientCredentials, oauth.GrantPassword},
		ResponseTypes: []string{oauth.ResponseTypeCode}, IDTokenAlgs: oauth.IDTokenAlgorithms}
	base := func(edit func(*registration.Metadata)) *registration.Metadata {
		m := &registration.Metadata{ClientName: "TV App", ClientURI: "https://tv.example/"}
		edit(m)
		return m
	}
	tests := []struct {
		name  string
		in    *registration.Metadata
		want  string // error code, "" when accepted
		field string
		check func(t *testing.T, m *registration.Metadata)
	}{
		{name: "device grant alone: native, no redirect URIs, no response types",
			in: base(func(m *registration.Metadata) { m.GrantTypes = []string{oauth.GrantDeviceCode} }),
			check: func(t *testing.T, m *registration.Metadata) {
				if m.ApplicationType != "native" || m.ResponseTypes == nil || len(m.ResponseTypes) != 0 {
					t.Errorf("%+v", m)
				}
			}},
		{name: "device grant infers native, which refuses an https redirect",
			in: base(func(m *registration.Metadata) {
				m.GrantTypes = []string{oauth.GrantAuthorizationCode, oauth.GrantDeviceCode}
				m.RedirectURIs = []string{"https://tv.example/cb"}
			}), want: oauth.CodeInvalidRedirectURI, field: "redirect_uris"},
		{name: "device grant with refresh, public",
			in: base(func(m *registration.Metadata) {
				m.GrantTypes = []string{oauth.GrantDeviceCode, oauth.GrantRefreshToken}
				m.TokenEndpointAuthMethod = oauth.AuthNone
			})},
		{name: "public client with client_credentials",
			in: base(func(m *registration.Metadata) {
				m.GrantTypes = []string{oauth.GrantClientCredentials}
				m.TokenEndpointAuthMethod = oauth.AuthNone
			}), want: oauth.CodeInvalidClientMetadata, field: "token_endpoint_auth_method"},
		{name: "public client with password",
			in: base(func(m *registration.Metadata) {
				m.GrantTypes = []string{oauth.GrantAuthorizationCode, oauth.GrantPassword}
				m.RedirectURIs = []string{"http://127.0.0.1/cb"}
				m.TokenEndpointAuthMethod = oauth.AuthNone
			}), want: oauth.CodeInvalidClientMetadata, field: "grant_types"},
		// RFC 9700 §2.4: never for a registered client, even a confidential one on a host that serves it.
		{name: "confidential client with password",
			in: base(func(m *registration.Metadata) {
				m.GrantTypes = []string{oauth.GrantPassword}
			}), want: oauth.CodeInvalidClientMetadata, field: "grant_types"},
		{name: "confidential client with client_credentials and no redirect URIs",
			in: base(func(m *registration.Metadata) { m.GrantTypes = []string{oauth.GrantClientCredentials} }),
			check: func(t *testing.T, m *registration.Metadata) {
				if m.ApplicationType != "web" || m.TokenEndpointAuthMethod != oauth.AuthClientSecretBasic {
					t.Errorf("%+v", m)
				}
			}},
		{name: "code response type without the code grant",
			in: base(func(m *registration.Metadata) {
				m.GrantTypes = []string{oauth.GrantDeviceCode}
				m.ResponseTypes = []string{oauth.ResponseTypeCode}
			}), want: oauth.CodeInvalidClientMetadata, field: "response_types"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rules.Normalize(tt.in)
			if err == nil {
				err = registration.DefaultRules(got)
			}
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tt.check != nil {
					tt.check(t, got)
				}
				return
			}
			var re *oauth.Error
			if !errors.As(err, &re) || re.Code != tt.want || re.Field != tt.field || !strings.HasPrefix(re.Description, tt.field+": ") {
				t.Fatalf("got %v (%+v), want %s on %s", err, re, tt.want, tt.field)
			}
		})
	}
}

// TestNormalizeDoesNotAlias: the normalised metadata shares no list with the input.
func TestNormalizeDoesNotAlias(t *testing.T) {
	in := &registration.Metadata{ClientName: "A", ClientURI: "https://a.example/", RedirectURIs: []string{"https://a.example/cb"}}
	out, err := testRules.Normalize(in)
	if err != nil {
		t.Fatal(err)
	}
	out.RedirectURIs[0] = "changed"
	if in.RedirectURIs[0] != "https://a.example/cb" || in.ApplicationType != "" || in.GrantTypes != nil {
		t.Errorf("the input changed: %+v", in)
	}
	if !slices.Equal(out.GrantTypes, []string{oauth.GrantAuthorizationCode}) {
		t.Errorf("grant_types %v", out.GrantTypes)
	}
}

// TestRegistrationScope: the scope member is a scope parameter (RFC 7591 §2, RFC 6749 §3.3), parsed as requests'
// are: single spaces between scope-tokens, normalised to each scope once; a malformed token (a quote, a
// backslash, non-ASCII, or a tab or newline as separator) is invalid_client_metadata on scope, without quoting it.
func TestRegistrationScope(t *testing.T) {
	tests := []struct{ name, scope, want string }{
		{"well-formed", "openid  profile openid x-unknown", "openid profile x-unknown"},
		{"double quote", `openid "zq7mrk"`, ""},
		{"backslash", `openid zq7mrk\`, ""},
		{"non-ASCII", "openid zq7mrk\u00e9", ""},
		{"tab separator", "openid\tzq7mrk", ""},
		{"newline separator", "openid\nzq7mrk", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := testRules.Normalize(&registration.Metadata{ClientName: "A", ClientURI: "https://a.example/",
				RedirectURIs: []string{"https://a.example/cb"}, Scope: tt.scope})
			if tt.want != "" {
				if err != nil || m.Scope != tt.want {
					t.Fatalf("scope %q: %v %v", tt.scope, m, err)
				}
				return
			}
			var re *oauth.Error
			if !errors.As(err, &re) || re.Code != oauth.CodeInvalidClientMetadata || re.Field != "scope" ||
				strings.Contains(re.Description, "zq7mrk") {
				t.Fatalf("scope %q: %v (%+v), want invalid_client_metadata on scope", tt.scope, err, re)
			}
		})
	}
}
