package oauth

import "slices"

// Metadata is the RFC 8414 authorization server metadata. It is built from the same settings the endpoints use,
// so it describes what the server really does.
type Metadata struct {
	Issuer                                     string   `json:"issuer"`
	AuthorizationEndpoint                      string   `json:"authorization_endpoint"`
	TokenEndpoint                              string   `json:"token_endpoint"`
	RevocationEndpoint                         string   `json:"revocation_endpoint"`
	IntrospectionEndpoint                      string   `json:"introspection_endpoint"`
	JWKSURI                                    string   `json:"jwks_uri,omitempty"`                              // set by the OIDC layer
	RegistrationEndpoint                       string   `json:"registration_endpoint,omitempty"`                 // set when registration is on
	DeviceAuthorizationEndpoint                string   `json:"device_authorization_endpoint,omitempty"`         // RFC 8628 §4, when the device grant is served
	PushedAuthorizationRequestEndpoint         string   `json:"pushed_authorization_request_endpoint"`           // RFC 9126 §5
	RequirePushedAuthorizationRequests         bool     `json:"require_pushed_authorization_requests,omitempty"` // RFC 9126 §5: false when absent
	ScopesSupported                            []string `json:"scopes_supported"`
	ResponseTypesSupported                     []string `json:"response_types_supported"`
	ResponseModesSupported                     []string `json:"response_modes_supported"`
	GrantTypesSupported                        []string `json:"grant_types_supported"`
	CodeChallengeMethodsSupported              []string `json:"code_challenge_methods_supported"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported     []string `json:"revocation_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethodsSupported  []string `json:"introspection_endpoint_auth_methods_supported"`
	AuthorizationResponseIssParameterSupported bool     `json:"authorization_response_iss_parameter_supported"`
	ServiceDocumentation                       string   `json:"service_documentation,omitempty"`
	OpPolicyURI                                string   `json:"op_policy_uri,omitempty"`
	OpTOSURI                                   string   `json:"op_tos_uri,omitempty"`
	// ClientIDMetadataDocumentSupported: client_ids may be the https URL of a Client ID Metadata Document
	// (draft-ietf-oauth-client-id-metadata-document-02 §6); set by the HTTP layer when the host enables them,
	// absent otherwise.
	ClientIDMetadataDocumentSupported bool `json:"client_id_metadata_document_supported,omitempty"`
	// DPoPSigningAlgValuesSupported are the DPoP proof algorithms (RFC 9449 §5.1); absent while DPoP is off.
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported,omitempty"`
}

// Metadata returns the host's RFC 8414 metadata (§2).
func (p *Provider) Metadata() *Metadata {
	iss := p.Settings.Issuer
	m := &Metadata{
		Issuer:                iss,
		AuthorizationEndpoint: iss + "/oauth2/authorize",
		TokenEndpoint:         iss + "/oauth2/token",
		RevocationEndpoint:    iss + "/oauth2/revoke",
		IntrospectionEndpoint: iss + "/oauth2/introspect",
		// RFC 9126 §2: client authentication as at the token endpoint, so token_endpoint_auth_methods_supported
		// covers it too.
		PushedAuthorizationRequestEndpoint: iss + "/oauth2/par",
		RequirePushedAuthorizationRequests: p.Settings.RequirePushedRequests,
		ScopesSupported:                    p.Scopes.Names(),
		ResponseTypesSupported:             p.Settings.ResponseTypes,
		ResponseModesSupported:             []string{"query"},
		GrantTypesSupported:                p.GrantTypes(),
		CodeChallengeMethodsSupported:      p.Settings.CodeChallengeMethods,
		// Public clients authenticate with their client_id alone at the token and revocation endpoints;
		// introspection needs a confidential client.
		TokenEndpointAuthMethodsSupported:          []string{AuthClientSecretBasic, AuthClientSecretPost, AuthNone},
		RevocationEndpointAuthMethodsSupported:     []string{AuthClientSecretBasic, AuthClientSecretPost, AuthNone},
		IntrospectionEndpointAuthMethodsSupported:  []string{AuthClientSecretBasic, AuthClientSecretPost},
		AuthorizationResponseIssParameterSupported: true,
		ServiceDocumentation:                       p.Settings.ServiceDocumentation,
		OpPolicyURI:                                p.Settings.PolicyURL,
		OpTOSURI:                                   p.Settings.TermsURL,
		DPoPSigningAlgValuesSupported:              p.DPoPAlgorithms(),
	}
	if p.Serves(GrantImplicit) && slices.Contains(m.ResponseTypesSupported, ResponseTypeToken) {
		m.ResponseModesSupported = append(m.ResponseModesSupported, "fragment")
	}
	if p.Serves(GrantDeviceCode) {
		m.DeviceAuthorizationEndpoint = iss + "/oauth2/device"
	}
	return m
}
