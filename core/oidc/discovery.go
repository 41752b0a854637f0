package oidc

import "github.com/assentry/assentry/core/oauth"

// Discovery is the OpenID Provider metadata (OIDC Discovery 1.0 §3): the RFC 8414 document plus the OpenID
// members.
type Discovery struct {
	*oauth.Metadata
	UserinfoEndpoint                 string   `json:"userinfo_endpoint"`
	EndSessionEndpoint               string   `json:"end_session_endpoint"`
	SubjectTypesSupported            []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
	ClaimsSupported                  []string `json:"claims_supported"`
	PromptValuesSupported            []string `json:"prompt_values_supported"`
	ClaimsParameterSupported         bool     `json:"claims_parameter_supported"`
	RequestParameterSupported        bool     `json:"request_parameter_supported"`
	// RequestURIParameterSupported defaults to true when absent (Discovery §3), so false is sent explicitly.
	RequestURIParameterSupported bool `json:"request_uri_parameter_supported"`
	// UILocalesSupported are the languages the pages are available in (the host theme's catalogs), set by the
	// HTTP layer, which has the theme.
	UILocalesSupported []string `json:"ui_locales_supported,omitempty"`
}

// NewDiscovery builds the document from the OAuth metadata; algs are the id_token algorithms the host has keys
// for (RS256 always).
func NewDiscovery(m *oauth.Metadata, algs []string) *Discovery {
	return &Discovery{
		Metadata:                         m,
		UserinfoEndpoint:                 m.Issuer + UserinfoPath,
		EndSessionEndpoint:               m.Issuer + "/oauth2/logout",
		SubjectTypesSupported:            []string{"public"},
		IDTokenSigningAlgValuesSupported: algs,
		ClaimsSupported:                  SupportedClaims(),
		PromptValuesSupported:            []string{oauth.PromptNone, oauth.PromptLogin, oauth.PromptConsent, oauth.PromptSelectAccount},
	}
}
