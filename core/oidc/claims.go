package oidc

import (
	"slices"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
)

// ScopeClaims lists the claims each scope releases (OIDC Core §5.4), as this server knows them.
var ScopeClaims = map[string][]string{
	oauth.ScopeProfile: {"name", "preferred_username", "locale", "updated_at"},
	oauth.ScopeEmail:   {"email", "email_verified"},
}

// SupportedClaims is claims_supported of the discovery document.
func SupportedClaims() []string {
	out := []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "at_hash"}
	for _, s := range []string{oauth.ScopeProfile, oauth.ScopeEmail} {
		out = append(out, ScopeClaims[s]...)
	}
	return out
}

// UserClaims returns the claims the granted scopes release about the user: only those the user has (an empty
// e-mail is not released as ""). The claims policy hook will add its own on top later.
func UserClaims(u *store.User, scopes []string) map[string]any {
	out := map[string]any{}
	if slices.Contains(scopes, oauth.ScopeProfile) {
		if u.Name != "" {
			out["name"] = u.Name
		}
		out["preferred_username"] = u.Username
		if u.Locale != "" {
			out["locale"] = u.Locale
		}
		if !u.UpdatedAt.IsZero() {
			out["updated_at"] = u.UpdatedAt.Unix()
		}
	}
	if slices.Contains(scopes, oauth.ScopeEmail) && u.Email != "" {
		out["email"] = u.Email
		out["email_verified"] = u.EmailVerified
	}
	return out
}
