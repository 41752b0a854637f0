package registration

import (
	"encoding/json"
	"errors"
	"strings"
)

// Metadata is the client metadata a registration accepts (RFC 7591 §2, OIDC Registration §2, and
// post_logout_redirect_uris of RP-Initiated Logout §3.1). Members not listed here are ignored (RFC 7591 §2:
// "The authorization server MUST ignore any client metadata sent by the client that it does not understand").
// After normalisation every member the server defaults is set, so a registered client_id carries exactly what
// the server decided; grant_types and response_types are then always present (possibly empty), as in
// mod_http_oauth2's ids.
type Metadata struct {
	ClientName               string   `json:"client_name,omitempty"`
	ClientURI                string   `json:"client_uri,omitempty"`
	LogoURI                  string   `json:"logo_uri,omitempty"`
	TOSURI                   string   `json:"tos_uri,omitempty"`
	PolicyURI                string   `json:"policy_uri,omitempty"`
	Contacts                 []string `json:"contacts,omitempty"`
	RedirectURIs             []string `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs   []string `json:"post_logout_redirect_uris,omitempty"`
	ApplicationType          string   `json:"application_type,omitempty"`
	GrantTypes               []string `json:"grant_types"`
	ResponseTypes            []string `json:"response_types"`
	TokenEndpointAuthMethod  string   `json:"token_endpoint_auth_method,omitempty"`
	Scope                    string   `json:"scope,omitempty"`
	SoftwareID               string   `json:"software_id,omitempty"`
	SoftwareVersion          string   `json:"software_version,omitempty"`
	IDTokenSignedResponseAlg string   `json:"id_token_signed_response_alg,omitempty"`
	// RequirePushedAuthorizationRequests: the client's authorization requests must come by request_uri from the
	// pushed authorization request endpoint (RFC 9126 §6); false when absent.
	RequirePushedAuthorizationRequests bool `json:"require_pushed_authorization_requests,omitempty"`
	// DPoPBoundAccessTokens: the client always sends DPoP proofs, and a token request without one is refused
	// (RFC 9449 §5.2).
	DPoPBoundAccessTokens bool `json:"dpop_bound_access_tokens,omitempty"`
}

// Metadata member names, for error messages and the schema.
const (
	fieldClientName      = "client_name"
	fieldClientURI       = "client_uri"
	fieldLogoURI         = "logo_uri"
	fieldTOSURI          = "tos_uri"
	fieldPolicyURI       = "policy_uri"
	fieldContacts        = "contacts"
	fieldRedirectURIs    = "redirect_uris"
	fieldPostLogout      = "post_logout_redirect_uris"
	fieldApplicationType = "application_type"
	fieldGrantTypes      = "grant_types"
	fieldResponseTypes   = "response_types"
	fieldAuthMethod      = "token_endpoint_auth_method"
	fieldScope           = "scope"
	fieldSoftwareID      = "software_id"
	fieldSoftwareVersion = "software_version"
	fieldIDTokenAlg      = "id_token_signed_response_alg"
	fieldRequirePAR      = "require_pushed_authorization_requests"
	fieldDPoPBound       = "dpop_bound_access_tokens"
)

// Application types (OIDC Registration §2).
const (
	ApplicationWeb    = "web"
	ApplicationNative = "native"
)

// Response is the 201 answer of a registration (RFC 7591 §3.2.1): the registered metadata, the client_id and
// when it was issued, and for a confidential client its secret and when that expires (0: never).
type Response struct {
	Metadata
	ClientID              string `json:"client_id"`
	ClientIDIssuedAt      int64  `json:"client_id_issued_at"`
	ClientSecret          string `json:"client_secret,omitempty"`
	ClientSecretExpiresAt *int64 `json:"client_secret_expires_at,omitempty"`
}

// maxBodyLen bounds the registration request: a client_id is at most MaxClientIDLen, so anything much longer
// cannot be registered, and the limit keeps JSON decoding cheap. Unknown members count too.
const maxBodyLen = 64 << 10

// parseMetadata decodes a registration request body. Malformed JSON, a body that is not an object, or a known
// member of the wrong type is invalid_client_metadata (RFC 7591 §3.2.2), naming the member when it can.
func parseMetadata(body []byte) (*Metadata, error) {
	if len(body) > maxBodyLen {
		return nil, invalidMetadata("", "the request body is over %d bytes", maxBodyLen)
	}
	trimmed := strings.TrimSpace(string(body))
	if !strings.HasPrefix(trimmed, "{") {
		return nil, invalidMetadata("", "the request body must be a JSON object of client metadata (RFC 7591 section 3.1)")
	}
	var m Metadata
	err := json.Unmarshal(body, &m)
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field != "":
		field, _, _ := strings.Cut(te.Field, ".")
		switch field {
		case fieldContacts, fieldRedirectURIs, fieldPostLogout, fieldGrantTypes, fieldResponseTypes:
			return nil, invalidMetadata(field, "must be a JSON array of strings")
		}
		return nil, invalidMetadata(field, "must be a JSON string, not %s", te.Value)
	case errors.As(err, &se):
		// The offset, not the decoder's message, which quotes the character it choked on.
		return nil, invalidMetadata("", "the request body is not valid JSON (at byte %d)", se.Offset)
	case err != nil:
		return nil, invalidMetadata("", "the request body is not valid JSON")
	}
	return &m, nil
}
