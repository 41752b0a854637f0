package policy

// ABIVersion is the version of the plugin ABI this host speaks.
const ABIVersion = 1

// Hook names (docs/policy-abi.md "Hooks"), in the order they run for a request.
const (
	HookValidateRegistration = "validate_registration"
	HookMapRoles             = "map_roles"
	HookScopePolicy          = "scope_policy"
	HookConsent              = "consent"
	HookClaims               = "claims"
)

// Hooks lists every hook in run order.
var Hooks = []string{HookValidateRegistration, HookMapRoles, HookScopePolicy, HookConsent, HookClaims}

// on_error values (docs/policy-abi.md "Configuration").
const (
	OnErrorFailClosed = "fail_closed" // the request fails with server_error, logged
	OnErrorSkip       = "skip"        // this plugin's answer is ignored (not allowed for consent)
	OnErrorAsk        = "ask"         // consent only: the user is asked
)

// DefaultOnError is each hook's on_error when the configuration says nothing.
var DefaultOnError = map[string]string{
	HookValidateRegistration: OnErrorFailClosed,
	HookMapRoles:             OnErrorFailClosed,
	HookScopePolicy:          OnErrorFailClosed,
	HookConsent:              OnErrorAsk,
	HookClaims:               OnErrorSkip,
}

// ReservedClaims are the claim names the server sets itself. The chain drops them from what map_roles and claims
// plugins add, and core/oidc keeps them out of every claim it merges into an id_token or a userinfo answer: one
// list for both layers, kept here because policy is the lower one.
var ReservedClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "azp", "nonce", "at_hash", "c_hash",
	"auth_time", "acr", "amr", "sid", "cnf", "scope", "client_id"}

var reservedClaims = func() map[string]bool {
	m := make(map[string]bool, len(ReservedClaims))
	for _, name := range ReservedClaims {
		m[name] = true
	}
	return m
}()

// ReservedClaim reports whether name is one of ReservedClaims.
func ReservedClaim(name string) bool { return reservedClaims[name] }

// Envelope is carried by every input.
type Envelope struct {
	ABI       int    `json:"abi"`
	Hook      string `json:"hook"`
	RequestID string `json:"request_id"`
	Now       int64  `json:"now"` // unix seconds
	Host      string `json:"host"`
}

// User is what hooks see of a user.
type User struct {
	Sub           string   `json:"sub"`
	Username      string   `json:"username"`
	Roles         []string `json:"roles"`
	Groups        []string `json:"groups"`
	Email         string   `json:"email,omitempty"`
	EmailVerified *bool    `json:"email_verified,omitempty"`
}

// Client is what hooks see of a client; each hook fills the fields its ABI section lists.
type Client struct {
	ClientID      string   `json:"client_id"`
	ClientName    string   `json:"client_name,omitempty"`
	ClientURI     string   `json:"client_uri,omitempty"`
	LogoURI       string   `json:"logo_uri,omitempty"`
	TOSURI        string   `json:"tos_uri,omitempty"`
	PolicyURI     string   `json:"policy_uri,omitempty"`
	AllowedScopes []string `json:"allowed_scopes,omitempty"`
}

// PluginError is a plugin-declared error (docs/policy-abi.md, "Outcomes", outcome 2), {"error": {"code", "description"}}.
type PluginError struct {
	Code        string `json:"code"`
	Description string `json:"description,omitempty"`
}

func (e *PluginError) Error() string { return "plugin error " + e.Code + ": " + e.Description }

// Operations of validate_registration: what the metadata is for.
const (
	// OperationRegister is an RFC 7591 registration at /oauth2/register.
	OperationRegister = "register"
	// OperationMetadataDocument is a client whose client_id is the URL of its Client ID Metadata Document
	// (draft-ietf-oauth-client-id-metadata-document): the metadata was fetched from ClientID.
	OperationMetadataDocument = "metadata_document"
)

// ValidateRegistrationInput is the input of validate_registration (RFC 7591 register, or a fetched Client ID
// Metadata Document, after the host's syntax checks).
type ValidateRegistrationInput struct {
	Envelope
	Operation string `json:"operation"` // OperationRegister | OperationMetadataDocument
	// ClientID is the client_id the metadata belongs to when the client chose it: the document's URL for
	// metadata_document; empty (absent) for register, where the host makes the client_id afterwards.
	ClientID string         `json:"client_id,omitempty"`
	Metadata map[string]any `json:"metadata"`
	Auth     struct {
		Kind string `json:"kind"` // "anonymous" | "initial_access_token"
	} `json:"auth"`
	Request struct {
		RemoteAddr string `json:"remote_addr"`
		UserAgent  string `json:"user_agent"`
	} `json:"request"`
}

// ValidateRegistrationOutput is its decision: accept (optionally patching metadata) or reject.
type ValidateRegistrationOutput struct {
	Decision         string         `json:"decision"` // "accept" | "reject"
	MetadataPatch    map[string]any `json:"metadata_patch,omitempty"`
	Error            string         `json:"error,omitempty"` // with reject: invalid_redirect_uri | invalid_client_metadata | invalid_software_statement | unapproved_software_statement
	ErrorDescription string         `json:"error_description,omitempty"`
	// DecidedBy is set by the chain on a reject: the plugin's name, or DecidedByBuiltin. Never read from a plugin.
	DecidedBy string `json:"-"`
}

// MapRolesInput is the input of map_roles (at login and whenever tokens are issued or refreshed).
type MapRolesInput struct {
	Envelope
	User   User     `json:"user"`
	Client *Client  `json:"client,omitempty"`
	Roles  []string `json:"roles"`
}

// MapRolesOutput is its decision: the new role list and extra claims.
type MapRolesOutput struct {
	Roles  []string       `json:"roles"`
	Claims map[string]any `json:"claims,omitempty"`
}

// Flows of scope_policy.
const (
	FlowAuthorizationCode = "authorization_code"
	FlowRefreshToken      = "refresh_token"
	FlowClientCredentials = "client_credentials"
	FlowDeviceCode        = "device_code"
	FlowPassword          = "password"
	FlowImplicit          = "implicit"
)

// ScopePolicyInput is the input of scope_policy (authorization, token, refresh, device).
type ScopePolicyInput struct {
	Envelope
	Flow            string   `json:"flow"`
	User            *User    `json:"user,omitempty"`
	Client          Client   `json:"client"`
	RequestedScopes []string `json:"requested_scopes"`
	GrantedScopes   []string `json:"granted_scopes"` // the result so far
	// Resource are the resource indicators (RFC 8707) the tokens would be for, so far: requested, within what
	// the client and host allow, narrowed by the plugins before this one. Absent when none was requested.
	Resource []string `json:"resource,omitempty"`
}

// DeniedScope explains a scope a policy removed (for the audit log).
type DeniedScope struct {
	Scope  string `json:"scope"`
	Reason string `json:"reason,omitempty"`
	// DecidedBy is set by the chain: the plugin's name, or DecidedByBuiltin. Never read from a plugin.
	DecidedBy string `json:"-"`
}

// ScopePolicyOutput is its decision; the host grants granted ∩ requested ∩ allowed.
type ScopePolicyOutput struct {
	GrantedScopes []string      `json:"granted_scopes"`
	Denied        []DeniedScope `json:"denied,omitempty"`
	// GrantedResources, when present, narrows the input's resource (RFC 8707) to these; absent keeps them all.
	// When resources were requested and none is left, the request fails with invalid_target.
	GrantedResources []string `json:"granted_resources,omitempty"`
}

// ConsentInput is the input of consent.
type ConsentInput struct {
	Envelope
	User                User     `json:"user"`
	Client              Client   `json:"client"`
	RequestedScopes     []string `json:"requested_scopes"`
	GrantedScopes       []string `json:"granted_scopes"`
	PreviouslyConsented bool     `json:"previously_consented"`
	Prompt              string   `json:"prompt,omitempty"`
}

// Consent decisions.
const (
	DecisionApprove = "approve"
	DecisionDeny    = "deny"
	DecisionAsk     = "ask"
)

// ConsentPage is what an ask decision adds to the consent page.
type ConsentPage struct {
	Template          string            `json:"template,omitempty"`
	ScopeDescriptions map[string]string `json:"scope_descriptions,omitempty"`
	Notices           []string          `json:"notices,omitempty"`
	Extra             map[string]any    `json:"extra,omitempty"`
}

// ConsentOutput is its decision.
type ConsentOutput struct {
	Decision         string       `json:"decision"` // approve | deny | ask
	Remember         *bool        `json:"remember,omitempty"`
	ErrorDescription string       `json:"error_description,omitempty"`
	Page             *ConsentPage `json:"page,omitempty"`
	// DecidedBy is set by the chain on a deny: the plugin's name, or DecidedByBuiltin. Never read from a plugin.
	DecidedBy string `json:"-"`
}

// DecidedByBuiltin is the DecidedBy of a decision made by the host's built-in policy.
const DecidedByBuiltin = "builtin"

// Claims targets.
const (
	TargetIDToken  = "id_token"
	TargetUserinfo = "userinfo"
)

// ClaimsInput is the input of claims (id_token and userinfo).
type ClaimsInput struct {
	Envelope
	User   User     `json:"user"`
	Client Client   `json:"client"`
	Scopes []string `json:"scopes"`
	Target string   `json:"target"`
}

// ClaimsOutput is its decision.
type ClaimsOutput struct {
	Claims map[string]any `json:"claims"`
}
