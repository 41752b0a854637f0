package guest

// The hooks' inputs and decisions (docs/policy-abi.md "Hooks"), as plain structs with hand-written decoders and
// encoders. Unknown input members are ignored, as the ABI asks.

// ABIVersion is the plugin ABI version this SDK speaks.
const ABIVersion = 1

// Decisions.
const (
	Accept  = "accept"  // validate_registration
	Reject  = "reject"  // validate_registration
	Approve = "approve" // consent
	Deny    = "deny"    // consent
	Ask     = "ask"     // consent
)

// Envelope is carried by every input.
type Envelope struct {
	ABI       int
	Hook      string
	RequestID string
	Now       int64 // unix seconds: use it, the guest's clock is not the time
	Host      string
}

func decodeEnvelope(v Value) Envelope {
	return Envelope{
		ABI: int(v.Get("abi").Int()), Hook: v.Get("hook").Str(), RequestID: v.Get("request_id").Str(),
		Now: v.Get("now").Int(), Host: v.Get("host").Str(),
	}
}

// User is what hooks see of a user.
type User struct {
	Sub           string
	Username      string
	Roles         []string
	Groups        []string
	Email         string
	EmailVerified *bool
	Raw           Value // the whole object, for members this SDK does not know
}

func decodeUser(v Value) User {
	u := User{
		Sub: v.Get("sub").Str(), Username: v.Get("username").Str(), Roles: v.Get("roles").Strings(),
		Groups: v.Get("groups").Strings(), Email: v.Get("email").Str(), Raw: v,
	}
	if ev := v.Get("email_verified"); ev.Kind() == KindTrue || ev.Kind() == KindFalse {
		b := ev.Bool()
		u.EmailVerified = &b
	}
	return u
}

// Client is what hooks see of a client.
type Client struct {
	ClientID      string
	ClientName    string
	ClientURI     string
	LogoURI       string
	TOSURI        string
	PolicyURI     string
	AllowedScopes []string
}

func decodeClient(v Value) Client {
	return Client{
		ClientID: v.Get("client_id").Str(), ClientName: v.Get("client_name").Str(),
		ClientURI: v.Get("client_uri").Str(), LogoURI: v.Get("logo_uri").Str(), TOSURI: v.Get("tos_uri").Str(),
		PolicyURI: v.Get("policy_uri").Str(), AllowedScopes: v.Get("allowed_scopes").Strings(),
	}
}

// InitInput is the input of assentry_init.
type InitInput struct {
	Envelope
	PluginName string
	Config     Value // the host's config of this plugin (an object, maybe empty)
}

// ValidateRegistrationInput is the input of validate_registration.
type ValidateRegistrationInput struct {
	Envelope
	Operation string // "register", or "metadata_document" for a client identified by its metadata document URL
	// ClientID is the metadata document's URL (operation metadata_document); "" for a registration.
	ClientID   string
	Metadata   Value // RFC 7591 + OIDC client metadata, normalised
	AuthKind   string
	RemoteAddr string
	UserAgent  string
}

// ValidateRegistrationOutput is its decision: Accept (optionally patching metadata) or Reject with an RFC 7591
// error code.
type ValidateRegistrationOutput struct {
	Decision         string
	MetadataPatch    *Object
	Error            string
	ErrorDescription string
}

// AppendJSON encodes the decision.
func (o *ValidateRegistrationOutput) AppendJSON(b []byte) []byte {
	var j Object
	j.Str("decision", o.Decision)
	if o.MetadataPatch != nil {
		j.Object("metadata_patch", o.MetadataPatch)
	}
	if o.Error != "" {
		j.Str("error", o.Error)
	}
	if o.ErrorDescription != "" {
		j.Str("error_description", o.ErrorDescription)
	}
	return j.AppendJSON(b)
}

// MapRolesInput is the input of map_roles.
type MapRolesInput struct {
	Envelope
	User   User
	Client *Client // nil at login
	Roles  []string
}

// MapRolesOutput is its decision.
type MapRolesOutput struct {
	Roles  []string
	Claims *Object
}

// AppendJSON encodes the decision.
func (o *MapRolesOutput) AppendJSON(b []byte) []byte {
	var j Object
	j.Strings("roles", o.Roles)
	if o.Claims != nil {
		j.Object("claims", o.Claims)
	}
	return j.AppendJSON(b)
}

// ScopePolicyInput is the input of scope_policy.
type ScopePolicyInput struct {
	Envelope
	Flow            string
	User            *User // nil for client_credentials
	Client          Client
	RequestedScopes []string
	GrantedScopes   []string // the result so far
	// Resource are the resource indicators (RFC 8707) so far; nil when the request named none.
	Resource []string
}

// DeniedScope explains a removed scope (for the audit log).
type DeniedScope struct {
	Scope  string
	Reason string
}

// ScopePolicyOutput is its decision; the host grants granted ∩ requested ∩ allowed.
type ScopePolicyOutput struct {
	GrantedScopes []string
	Denied        []DeniedScope
	// GrantedResources narrows the input's Resource; nil leaves them, an empty non-nil list refuses the request
	// (invalid_target).
	GrantedResources []string
}

// AppendJSON encodes the decision.
func (o *ScopePolicyOutput) AppendJSON(b []byte) []byte {
	var j Object
	j.Strings("granted_scopes", o.GrantedScopes)
	if len(o.Denied) > 0 {
		d := []byte{'['}
		for i, x := range o.Denied {
			if i > 0 {
				d = append(d, ',')
			}
			var e Object
			e.Str("scope", x.Scope)
			if x.Reason != "" {
				e.Str("reason", x.Reason)
			}
			d = e.AppendJSON(d)
		}
		j.Raw("denied", append(d, ']'))
	}
	if o.GrantedResources != nil {
		j.Strings("granted_resources", o.GrantedResources)
	}
	return j.AppendJSON(b)
}

// ConsentInput is the input of consent.
type ConsentInput struct {
	Envelope
	User                User
	Client              Client
	RequestedScopes     []string
	GrantedScopes       []string
	PreviouslyConsented bool
	Prompt              string
}

// ConsentPage is what an ask decision adds to the consent page.
type ConsentPage struct {
	Template          string
	ScopeDescriptions map[string]string
	Notices           []string
	Extra             *Object
}

// ConsentOutput is its decision: Approve, Deny or Ask.
type ConsentOutput struct {
	Decision         string
	Remember         *bool
	ErrorDescription string
	Page             *ConsentPage
}

// AppendJSON encodes the decision (scope descriptions in sorted order, so the answer is deterministic).
func (o *ConsentOutput) AppendJSON(b []byte) []byte {
	var j Object
	j.Str("decision", o.Decision)
	if o.Remember != nil {
		j.Bool("remember", *o.Remember)
	}
	if o.ErrorDescription != "" {
		j.Str("error_description", o.ErrorDescription)
	}
	if p := o.Page; p != nil {
		var page Object
		if p.Template != "" {
			page.Str("template", p.Template)
		}
		if len(p.ScopeDescriptions) > 0 {
			var d Object
			for _, k := range sortedKeys(p.ScopeDescriptions) {
				d.Str(k, p.ScopeDescriptions[k])
			}
			page.Object("scope_descriptions", &d)
		}
		if len(p.Notices) > 0 {
			page.Strings("notices", p.Notices)
		}
		if p.Extra != nil {
			page.Object("extra", p.Extra)
		}
		if page.Len() > 0 {
			j.Object("page", &page)
		}
	}
	return j.AppendJSON(b)
}

// ClaimsInput is the input of claims.
type ClaimsInput struct {
	Envelope
	User   User
	Client Client
	Scopes []string
	Target string // "id_token" or "userinfo"
}

// ClaimsOutput is its decision: the claims to add.
type ClaimsOutput struct {
	Claims Object
}

// AppendJSON encodes the decision.
func (o *ClaimsOutput) AppendJSON(b []byte) []byte {
	var j Object
	j.Object("claims", &o.Claims)
	return j.AppendJSON(b)
}

// Has reports whether list contains s.
func Has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ { // insertion sort: a handful of keys, and no sort package in the guest
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
