package registration

import (
	"slices"
	"strings"
	"unicode"

	"github.com/assentry/assentry/core/oauth"
)

// Rules are the host settings the built-in registration rules depend on.
type Rules struct {
	GrantTypes    []string // the grant types enabled on the host
	ResponseTypes []string // the response types enabled on the host
	IDTokenAlgs   []string // the id_token algorithms the host signs with
}

// Bounds of what a registration may contain. The client_id carries every member, so the real bound is
// MaxClientIDLen; these give a clearer error for the usual culprits.
const (
	maxNameLen     = 200 // client_name, software_id, software_version: shown to people, not essays
	maxListLen     = 10  // redirect_uris, post_logout_redirect_uris, contacts
	maxURILen      = 512
	maxScopeTokens = 30
)

// pkceCapable are the grants a public client (token_endpoint_auth_method none) may use: the code grant, which
// then requires PKCE (RFC 7636; the out-of-band redirect is exempt, as in mod_http_oauth2), refreshing what it
// got, the device grant, which RFC 8628 made for public clients, and the implicit grant where the host enables
// it (it never authenticates a client; mod_http_oauth2 allowed none only with it).
var pkceCapable = []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken, oauth.GrantDeviceCode, oauth.GrantImplicit}

// Normalize applies the host's own checks to m and returns the metadata to register: defaults filled in,
// application_type inferred, scope normalised. These checks always run, whatever builtin_policy says: they are
// what the host needs to serve the client at all (docs/policy-abi.md: validate_registration runs after them) — a
// client_name to show, grants and methods this host enables and that fit together, absolute URIs without
// userinfo or fragments, http(s) for pages, sizes. The mod_http_oauth2 rules on top of them (DefaultRules) are
// the built-in validate_registration policy. The first broken check is returned as an *oauth.Error naming its field.
func (r Rules) Normalize(in *Metadata) (*Metadata, error) {
	m := *in
	m.Contacts, m.RedirectURIs, m.PostLogoutRedirectURIs = slices.Clone(in.Contacts), slices.Clone(in.RedirectURIs), slices.Clone(in.PostLogoutRedirectURIs)
	if err := checkText(fieldClientName, m.ClientName, true); err != nil {
		return nil, err
	}
	uris := pageURIs(&m)
	if err := checkPageURIs(uris[:1]); err != nil { // client_uri first, as mod_http_oauth2 reports it
		return nil, err
	}
	if err := r.grants(&m); err != nil {
		return nil, err
	}
	if err := r.appType(&m); err != nil {
		return nil, err
	}
	if err := checkRedirects(&m); err != nil {
		return nil, err
	}
	if err := checkPageURIs(uris[1:]); err != nil {
		return nil, err
	}
	if err := r.authMethod(&m); err != nil {
		return nil, err
	}
	if err := checkOther(&m, r.IDTokenAlgs); err != nil {
		return nil, err
	}
	return &m, nil
}

// DefaultRules are mod_http_oauth2's registration rules (docs/architecture.md §9), the built-in validate_registration
// policy: client_uri required, https on a named host that is neither loopback nor an IP address; a web client's
// redirect URIs https on the client_uri's host; a native client's loopback http (any port), a private-use scheme
// in reverse-DNS form or the out-of-band URN; logo_uri, tos_uri and policy_uri on the client_uri's scheme and
// host. m has passed Normalize. builtin_policy.validate_registration: false switches them off.
func DefaultRules(m *Metadata) error {
	client, err := checkClientURI(m.ClientURI)
	if err != nil {
		return invalidMetadata(fieldClientURI, "%v", err)
	}
	for i, u := range m.RedirectURIs {
		if err := checkRedirect(u, m.ApplicationType, client); err != nil {
			return invalidRedirect("the URI at index %d %v", i, err)
		}
	}
	for i, u := range m.PostLogoutRedirectURIs {
		if err := checkRedirect(u, m.ApplicationType, client); err != nil {
			return invalidMetadata(fieldPostLogout, "the URI at index %d %v", i, err)
		}
	}
	for _, f := range pageURIs(m)[1:] {
		if f.value == "" {
			continue
		}
		if err := checkInformative(f.value, client); err != nil {
			return invalidMetadata(f.name, "%v", err)
		}
	}
	return nil
}

// checkPageURIs checks the page URIs given: at most maxURILen bytes, and checkPageURI.
func checkPageURIs(uris []namedValue) error {
	for _, f := range uris {
		if f.value == "" {
			continue
		}
		if len(f.value) > maxURILen {
			return invalidMetadata(f.name, "is over %d bytes", maxURILen)
		}
		if err := checkPageURI(f.value); err != nil {
			return invalidMetadata(f.name, "%v", err)
		}
	}
	return nil
}

// namedValue is a metadata member's name and value.
type namedValue struct{ name, value string }

// pageURIs are the members naming web pages of the client, shown or linked on the consent page.
func pageURIs(m *Metadata) []namedValue {
	return []namedValue{{fieldClientURI, m.ClientURI}, {fieldLogoURI, m.LogoURI},
		{fieldTOSURI, m.TOSURI}, {fieldPolicyURI, m.PolicyURI}}
}

// grants checks grant_types and response_types (defaults: authorization_code, and code for it; RFC 7591 §2):
// known to and enabled on the host, each once, and consistent with each other (RFC 7591 §2.1: the code grant
// goes with the code response type and implicit with token; refresh_token needs a grant that issues refresh
// tokens).
func (r Rules) grants(m *Metadata) error {
	if m.GrantTypes == nil {
		m.GrantTypes = []string{oauth.GrantAuthorizationCode}
	}
	if len(m.GrantTypes) == 0 {
		return invalidMetadata(fieldGrantTypes, "must not be empty (omit it for the default, authorization_code)")
	}
	if slices.Contains(m.GrantTypes, oauth.GrantPassword) {
		return invalidMetadata(fieldGrantTypes, "password is not available to registered clients: the client would see "+
			"the user's password (RFC 9700 section 2.4); use authorization_code")
	}
	if err := checkEnum(fieldGrantTypes, m.GrantTypes, r.registrable()); err != nil {
		return err
	}
	code := slices.Contains(m.GrantTypes, oauth.GrantAuthorizationCode)
	implicit := slices.Contains(m.GrantTypes, oauth.GrantImplicit)
	if m.ResponseTypes == nil {
		m.ResponseTypes = []string{}
		if code {
			m.ResponseTypes = append(m.ResponseTypes, oauth.ResponseTypeCode)
		}
		if implicit {
			m.ResponseTypes = append(m.ResponseTypes, oauth.ResponseTypeToken)
		}
	}
	if err := checkEnum(fieldResponseTypes, m.ResponseTypes, r.ResponseTypes); err != nil {
		return err
	}
	switch {
	case code != slices.Contains(m.ResponseTypes, oauth.ResponseTypeCode):
		return invalidMetadata(fieldResponseTypes, "the authorization_code grant and the code response type go together "+
			"(RFC 7591 section 2.1)")
	case implicit != slices.Contains(m.ResponseTypes, oauth.ResponseTypeToken):
		return invalidMetadata(fieldResponseTypes, "the implicit grant and the token response type go together "+
			"(RFC 7591 section 2.1)")
	case slices.Contains(m.GrantTypes, oauth.GrantRefreshToken) && !code && !slices.Contains(m.GrantTypes, oauth.GrantDeviceCode):
		return invalidMetadata(fieldGrantTypes, "refresh_token needs a grant that issues refresh tokens (authorization_code)")
	}
	return nil
}

// registrable are the host's grant types a client may register for: all but password. The resource owner
// password credentials grant hands the user's password to the client (RFC 9700 §2.4: MUST NOT be used), so only
// a client the operator configures and vouches for may have it; anyone who can reach the registration endpoint
// must not. client_credentials stays (RFC 7591 §2 lists it): a registered client is confidential unless it asks
// for none, which that grant refuses (authMethod), and its client_id, a signed JWT, never looks like a user's sub.
func (r Rules) registrable() []string {
	return slices.DeleteFunc(slices.Clone(r.GrantTypes), func(g string) bool { return g == oauth.GrantPassword })
}

// checkEnum checks that every value is enabled on the host and appears once.
func checkEnum(field string, values, enabled []string) error {
	for i, v := range values {
		if !slices.Contains(enabled, v) {
			return invalidMetadata(field, "the value at index %d is not enabled on this server (enabled: %s)", i,
				strings.Join(enabled, ", "))
		}
		if slices.Contains(values[:i], v) {
			return invalidMetadata(field, "the value at index %d is listed twice", i)
		}
	}
	return nil
}

// appType checks or infers application_type: when absent it is native if the first redirect URI is a native
// one or the device grant is asked for, else web (as mod_http_oauth2 does).
func (r Rules) appType(m *Metadata) error {
	switch m.ApplicationType {
	case ApplicationWeb, ApplicationNative:
		return nil
	case "":
		m.ApplicationType = ApplicationWeb
		if len(m.RedirectURIs) > 0 && looksNative(m.RedirectURIs[0]) || slices.Contains(m.GrantTypes, oauth.GrantDeviceCode) {
			m.ApplicationType = ApplicationNative
		}
		return nil
	}
	return invalidMetadata(fieldApplicationType, "must be web or native")
}

// checkRedirects checks redirect_uris (required by the code and implicit grants) and post_logout_redirect_uris: how many,
// how long, each once, and each well-formed for its application type (checkRedirectSyntax).
func checkRedirects(m *Metadata) error {
	for _, g := range []string{oauth.GrantAuthorizationCode, oauth.GrantImplicit} {
		if len(m.RedirectURIs) == 0 && slices.Contains(m.GrantTypes, g) {
			return invalidRedirect("at least one is required for the %s grant", g)
		}
	}
	if len(m.RedirectURIs) > maxListLen {
		return invalidRedirect("at most %d may be registered", maxListLen)
	}
	for i, u := range m.RedirectURIs {
		if len(u) > maxURILen {
			return invalidRedirect("the URI at index %d is over %d bytes", i, maxURILen)
		}
		if err := checkRedirectSyntax(u, m.ApplicationType, true); err != nil {
			return invalidRedirect("the URI at index %d %v", i, err)
		}
		if slices.Contains(m.RedirectURIs[:i], u) {
			return invalidRedirect("the URI at index %d is listed twice", i)
		}
	}
	if len(m.PostLogoutRedirectURIs) > maxListLen {
		return invalidMetadata(fieldPostLogout, "at most %d may be registered", maxListLen)
	}
	for i, u := range m.PostLogoutRedirectURIs {
		if len(u) > maxURILen {
			return invalidMetadata(fieldPostLogout, "the URI at index %d is over %d bytes", i, maxURILen)
		}
		if err := checkRedirectSyntax(u, m.ApplicationType, false); err != nil {
			return invalidMetadata(fieldPostLogout, "the URI at index %d %v", i, err)
		}
		if slices.Contains(m.PostLogoutRedirectURIs[:i], u) {
			return invalidMetadata(fieldPostLogout, "the URI at index %d is listed twice", i)
		}
	}
	return nil
}

// authMethod checks token_endpoint_auth_method (default client_secret_basic, RFC 7591 §2). A public client
// (none) may only use grants that do not rely on a client secret: the code grant with PKCE, refresh, device.
func (r Rules) authMethod(m *Metadata) error {
	switch m.TokenEndpointAuthMethod {
	case "":
		m.TokenEndpointAuthMethod = oauth.AuthClientSecretBasic
	case oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost:
	case oauth.AuthNone:
		for _, g := range m.GrantTypes {
			if !slices.Contains(pkceCapable, g) {
				return invalidMetadata(fieldAuthMethod, "none (a public client) cannot use a grant that needs client "+
					"authentication; it may use %s", strings.Join(pkceCapable, ", "))
			}
		}
	default:
		return invalidMetadata(fieldAuthMethod, "is not supported; use client_secret_basic, client_secret_post or none")
	}
	return nil
}

// checkOther checks the remaining members: contacts, scope (normalised to single spaces, each scope once),
// software_id, software_version and id_token_signed_response_alg.
func checkOther(m *Metadata, idTokenAlgs []string) error {
	if len(m.Contacts) > maxListLen {
		return invalidMetadata(fieldContacts, "at most %d may be given", maxListLen)
	}
	for _, c := range m.Contacts {
		if err := checkText(fieldContacts, c, true); err != nil {
			return err
		}
	}
	// RFC 7591 §2: scope is a scope parameter as in RFC 6749 §3.3, parsed as requests' are (oauth.ParseScope): a
	// malformed token is refused, not dropped.
	requested, e := oauth.ParseScope(m.Scope)
	if e != nil {
		return invalidMetadata(fieldScope, "holds a malformed scope token (RFC 6749 section 3.3)")
	}
	var scopes []string
	for _, s := range requested {
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	if len(scopes) > maxScopeTokens {
		return invalidMetadata(fieldScope, "at most %d scopes may be given", maxScopeTokens)
	}
	m.Scope = strings.Join(scopes, " ")
	if err := checkText(fieldSoftwareID, m.SoftwareID, false); err != nil {
		return err
	}
	if err := checkText(fieldSoftwareVersion, m.SoftwareVersion, false); err != nil {
		return err
	}
	if a := m.IDTokenSignedResponseAlg; a != "" && !slices.Contains(idTokenAlgs, a) {
		return invalidMetadata(fieldIDTokenAlg, "is not supported; use one of %s", strings.Join(idTokenAlgs, ", "))
	}
	return nil
}

// checkText checks a short text member: required or not, at most maxNameLen bytes, valid text without control
// characters (it may be shown on a page).
func checkText(field, v string, required bool) error {
	switch {
	case strings.TrimSpace(v) == "" && required:
		return invalidMetadata(field, "is required and must not be blank")
	case len(v) > maxNameLen:
		return invalidMetadata(field, "is over %d bytes", maxNameLen)
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || r == unicode.ReplacementChar }):
		return invalidMetadata(field, "must not contain control characters or invalid UTF-8")
	}
	return nil
}
