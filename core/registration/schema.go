package registration

import (
	"encoding/json"

	"github.com/assentry/assentry/core/oauth"
)

// schemaJSON builds the JSON Schema (2020-12) of the accepted metadata, as mod_http_oauth2 serves at GET
// /oauth2/register: the same titles and shape, with the enums of what this host enables. It documents the
// request for developers; the checks (Rules.Normalize, DefaultRules and any policy) are what decide, and say more
// than a schema can (hosts of redirect URIs, the none method's grants, sizes). defaults says whether the default
// rules apply: without them client_uri is optional and the URIs need not be https.
func schemaJSON(r Rules, defaults bool) ([]byte, error) {
	str := func(title, desc string) map[string]any {
		s := map[string]any{"type": "string", "title": title}
		if desc != "" {
			s["description"] = desc
		}
		return s
	}
	uri := func(title, desc, example string) map[string]any {
		s := str(title, desc)
		s["format"], s["pattern"], s["maxLength"], s["examples"] = "uri", "^https:", maxURILen, []string{example}
		if !defaults {
			s["pattern"] = "^https?:"
		}
		return s
	}
	list := func(title, desc string, items map[string]any) map[string]any {
		return map[string]any{"type": "array", "title": title, "description": desc, "uniqueItems": true,
			"maxItems": maxListLen, "items": items}
	}
	props := map[string]any{
		fieldClientName: withMax(str("Client Name", "Human-readable name of the client, shown to the user on the consent page."), maxNameLen),
		fieldClientURI: uri("Client URL", "A page about the client. https, on a named host (not loopback, not an IP "+
			"address); the logo, terms and policy URLs and a web client's redirect URIs must use its host.", "https://app.example.com/"),
		fieldLogoURI:   uri("Logo URL", "The client's logo, on the client_uri's host.", "https://app.example.com/appicon.png"),
		fieldTOSURI:    uri("Terms of Service URL", "Shown on the consent page; on the client_uri's host.", "https://app.example.com/tos.html"),
		fieldPolicyURI: uri("Privacy Policy URL", "Shown on the consent page; on the client_uri's host.", "https://app.example.com/policy.html"),
		fieldContacts: list("Contact Addresses", "Addresses, typically email, where the client's developers can be reached.",
			withMax(str("Contact", ""), maxNameLen)),
		fieldRedirectURIs: list("Redirect URIs", "Required for the authorization_code grant. web: https URIs on the "+
			"client_uri's host. native: loopback http URIs (127.0.0.1, [::1] or localhost, any port), private-use "+
			"schemes in reverse-DNS form, or "+oauth.OOBRedirect+". No fragments.", map[string]any{"type": "string",
			"format": "uri", "maxLength": maxURILen, "examples": []string{"https://app.example.com/redirect",
				"http://127.0.0.1:8080/redirect", "com.example.app:/redirect", oauth.OOBRedirect}}),
		fieldPostLogout: list("Post-Logout Redirect URIs", "Where RP-initiated logout may return to; the rules of "+
			"redirect_uris, without the out-of-band URN.", map[string]any{"type": "string", "format": "uri", "maxLength": maxURILen}),
		fieldApplicationType: map[string]any{"type": "string", "title": "Application Type", "enum": []string{ApplicationNative, ApplicationWeb},
			"description": "Decides which redirect URIs the client may register. When absent: native if the first " +
				"redirect URI is a native one or the device grant is asked for, else web."},
		fieldGrantTypes: map[string]any{"type": "array", "title": "Grant Types", "minItems": 1, "uniqueItems": true,
			"items": map[string]any{"type": "string", "enum": r.registrable()}, "default": []string{oauth.GrantAuthorizationCode}},
		fieldResponseTypes: map[string]any{"type": "array", "title": "Response Types", "uniqueItems": true,
			"items": map[string]any{"type": "string", "enum": r.ResponseTypes}, "default": []string{oauth.ResponseTypeCode}},
		fieldAuthMethod: map[string]any{"type": "string", "title": "Token Endpoint Authentication Method",
			"enum":    []string{oauth.AuthNone, oauth.AuthClientSecretPost, oauth.AuthClientSecretBasic},
			"default": oauth.AuthClientSecretBasic, "description": "none makes a public client (no secret, PKCE " +
				"required); it is only allowed with the authorization_code, refresh_token and device grants."},
		fieldScope:           str("Scopes", "Space-separated scopes the client restricts itself to."),
		fieldSoftwareID:      withMax(str("Software ID", "Identifier of the client software, common to all its instances; typically a UUID."), maxNameLen),
		fieldSoftwareVersion: withMax(str("Software Version", "Version of the client software being registered."), maxNameLen),
		fieldIDTokenAlg: map[string]any{"type": "string", "title": "ID Token Signing Algorithm", "enum": r.IDTokenAlgs,
			"description": "The algorithm of the client's id_tokens; the server's default when absent."},
		fieldRequirePAR: map[string]any{"type": "boolean", "title": "Require Pushed Authorization Requests",
			"default": false, "description": "The client sends its authorization requests only through the pushed " +
				"authorization request endpoint (RFC 9126); the authorization endpoint then refuses any other."},
		fieldDPoPBound: map[string]any{"type": "boolean", "title": "DPoP-Bound Access Tokens", "default": false,
			"description": "Every token request of the client carries a DPoP proof (RFC 9449); one without is refused."},
	}
	required := []string{fieldClientName, fieldClientURI}
	if !defaults {
		required = required[:1]
		props[fieldClientURI] = uri("Client URL", "A page about the client.", "https://app.example.com/")
		props[fieldLogoURI] = uri("Logo URL", "The client's logo.", "https://app.example.com/appicon.png")
		props[fieldTOSURI] = uri("Terms of Service URL", "Shown on the consent page.", "https://app.example.com/tos.html")
		props[fieldPolicyURI] = uri("Privacy Policy URL", "Shown on the consent page.", "https://app.example.com/policy.html")
		props[fieldRedirectURIs].(map[string]any)["description"] = "Required for the authorization_code grant: " +
			"http or https URIs, private-use schemes in reverse-DNS form, or (native clients) " + oauth.OOBRedirect +
			". No fragments."
	}
	return json.Marshal(map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"title":       "OAuth 2.0 Dynamic Client Registration Protocol",
		"description": "The client metadata this endpoint accepts (RFC 7591, OpenID Connect Dynamic Client Registration 1.0). Other members are ignored.",
		"type":        "object",
		"required":    required,
		"properties":  props,
	})
}

func withMax(s map[string]any, n int) map[string]any {
	s["maxLength"] = n
	return s
}
