package oauth

import (
	"slices"
	"strings"
)

// Built-in scopes.
const (
	ScopeOpenID        = "openid"
	ScopeProfile       = "profile"
	ScopeEmail         = "email"
	ScopeOfflineAccess = "offline_access"
	// ScopeXMPP stands for "the user's default role", as in mod_http_oauth2.
	ScopeXMPP = "xmpp"
)

// ScopeInfo is a scope with what the consent page shows of it.
type ScopeInfo struct {
	Name        string
	Title       string
	Description string
	Role        bool // a role scope: granted only to users who hold the role (xmpp: any user with a role)
	// Key names the built-in text in the theme's message catalog (scope.openid → scope.openid.title and
	// .description), so pages show it in the user's language; "" once config replaced the text.
	Key string
}

// Catalogue is a host's scopes: the built-ins, the host's roles as scopes, and scopes declared in config.
// Unknown but well-formed scopes are dropped from requests (as mod_http_oauth2 does); malformed ones never get
// this far (ParseScope).
type Catalogue struct {
	byName map[string]ScopeInfo
	order  []string
}

// NewCatalogue builds the catalogue; extra entries naming a built-in replace its title and description.
func NewCatalogue(roles []string, extra []ScopeInfo) *Catalogue {
	c := &Catalogue{byName: map[string]ScopeInfo{}}
	add := func(s ScopeInfo) {
		if old, ok := c.byName[s.Name]; ok {
			if s.Title == "" && s.Description == "" {
				s.Key = old.Key
			}
			if s.Title == "" {
				s.Title = old.Title
			}
			if s.Description == "" {
				s.Description = old.Description
			}
			s.Role = old.Role
		} else {
			c.order = append(c.order, s.Name)
		}
		c.byName[s.Name] = s
	}
	add(ScopeInfo{Name: ScopeOpenID, Title: "Sign you in", Description: "Confirm who you are to the application.",
		Key: "scope.openid"})
	add(ScopeInfo{Name: ScopeProfile, Title: "Your profile", Description: "Your name, username and language.",
		Key: "scope.profile"})
	add(ScopeInfo{Name: ScopeEmail, Title: "Your e-mail address", Description: "Your e-mail address and whether it is verified.",
		Key: "scope.email"})
	add(ScopeInfo{Name: ScopeOfflineAccess, Title: "Stay connected",
		Description: "Keep access while you are away, until you revoke it on your account page.", Key: "scope.offline_access"})
	add(ScopeInfo{Name: ScopeXMPP, Title: "Your account", Role: true, Key: "scope.xmpp",
		Description: "Full access to your account with your usual role, including sending and receiving messages."})
	for _, r := range roles {
		add(ScopeInfo{Name: r, Title: "Role: " + r, Description: "Act with the role " + r + ".", Role: true, Key: "scope.role"})
	}
	for _, s := range extra {
		add(s)
	}
	return c
}

// Fixed reports whether a scope cannot be declined on the consent page: openid is the sign-in itself (OIDC Core
// 1.0 §3.1.2.1: its presence makes the request an OpenID one), so "Allow" grants it and "Deny" is how a user
// declines. The consent page shows it as text, and Decide grants it whatever the form's boxes say.
func Fixed(scope string) bool { return scope == ScopeOpenID }

// Lookup returns a scope's description.
func (c *Catalogue) Lookup(name string) (ScopeInfo, bool) {
	s, ok := c.byName[name]
	return s, ok
}

// Names lists every scope in catalogue order (for metadata).
func (c *Catalogue) Names() []string { return slices.Clone(c.order) }

// Known narrows requested scopes to those known to the catalogue and within the client's registered scopes
// (when it has any), in request order, without duplicates.
func (c *Catalogue) Known(requested, clientScopes []string) []string {
	var out []string
	for _, s := range requested {
		_, ok := c.byName[s]
		if ok && !slices.Contains(out, s) && (len(clientScopes) == 0 || slices.Contains(clientScopes, s)) {
			out = append(out, s)
		}
	}
	return out
}

// Grantable is the built-in scope policy: the known scopes of Known, less the role scopes the user does not
// hold (xmpp, the user's default role, needs the user to hold some role).
func (c *Catalogue) Grantable(requested, clientScopes, userRoles []string) []string {
	var out []string
	for _, s := range c.Known(requested, clientScopes) {
		if c.byName[s].Role && !HoldsRole(s, userRoles) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// UserScope reports whether scope s stands for a user: openid, profile, email, offline_access, and every role
// scope (the default-role scope xmpp among them). Tokens without a user (client credentials) never carry one.
func (c *Catalogue) UserScope(s string) bool {
	switch s {
	case ScopeOpenID, ScopeProfile, ScopeEmail, ScopeOfflineAccess:
		return true
	}
	return c.byName[s].Role
}

// HoldsRole reports whether a user with roles may be granted the role scope s.
func HoldsRole(s string, roles []string) bool {
	if s == ScopeXMPP {
		return len(roles) > 0
	}
	return slices.Contains(roles, s)
}

// ParseScope splits a scope parameter: RFC 6749 §3.3, scope = scope-token *( SP scope-token ), case-sensitive.
// It is the one parser of requested scopes (authorization, token and device authorization requests, and
// registered clients' scope metadata). Runs of spaces and spaces at the ends are tolerated; any other character
// outside scope-token (a double quote, a backslash, a tab or newline, anything non-ASCII) is invalid_scope
// (RFC 6749 §4.1.2.1, §5.2), never silently dropped as an unknown but well-formed scope is. The description
// does not quote the token.
func ParseScope(s string) ([]string, *Error) {
	var out []string
	for _, tok := range strings.Split(s, " ") {
		if tok == "" {
			continue
		}
		if !ValidScopeToken(tok) {
			return nil, InvalidScope("the scope parameter holds a malformed scope token (RFC 6749 section 3.3)")
		}
		out = append(out, tok)
	}
	return out, nil
}

// ValidScopeToken: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) (RFC 6749 §3.3).
func ValidScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x21 || b == 0x22 || b == 0x5c || b > 0x7e {
			return false
		}
	}
	return true
}

// JoinScope is the inverse of ParseScope.
func JoinScope(scopes []string) string { return strings.Join(scopes, " ") }

// Subset reports whether every element of a is in b.
func Subset(a, b []string) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}
