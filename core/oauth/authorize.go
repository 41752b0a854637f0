package oauth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/assentry/assentry/store"
)

// Prompt values (OIDC Core §3.1.2.1).
const (
	PromptNone          = "none"
	PromptLogin         = "login"
	PromptConsent       = "consent"
	PromptSelectAccount = "select_account"
)

// ResponseTypeCode is the authorization code response type (RFC 6749 §4.1.1).
const ResponseTypeCode = "code"

// AuthorizeRequest is a validated authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1).
type AuthorizeRequest struct {
	Client              *store.Client
	RedirectURI         string
	RedirectURIGiven    bool
	ResponseType        string
	Scopes              []string // known scopes within the client's, in request order
	State               string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	Prompt              []string
	MaxAge              int // -1: not given
	LoginHint           string
	UILocales           string   // ui_locales (OIDC Core 1.0 §3.1.2.1): the user's preferred languages for the pages
	IDTokenHintSub      string   // sub of a verified id_token_hint (OIDC Core §3.1.2.1)
	Resources           []string // RFC 8707 resource indicators, each allowed for the client; nil: none
	DPoPJKT             string   // dpop_jkt (RFC 9449 §10): the thumbprint the code's token request must prove
}

// ShowError is an authorization error found before the client and redirect URI were verified: it is shown
// to the user, never redirected, so the endpoint cannot be used as an open redirector (RFC 6749 §4.1.2.1,
// RFC 9700 §4.11).
type ShowError struct {
	Err *Error
	// Client is the client when it is known but the redirect URI is not one of its own: the page may link the
	// client's site, never that redirect URI. Nil otherwise.
	Client *store.Client
}

func (e *ShowError) Error() string { return e.Err.Error() }

// RedirectError is an authorization error to send back to the client's verified redirect URI with state and
// iss (RFC 6749 §4.1.2.1, RFC 9207).
type RedirectError struct {
	Err         *Error
	Client      *store.Client
	RedirectURI string
	State       string
	Prompt      []string
	// Fragment: the error goes in the fragment, as the implicit grant's answers do (RFC 6749 §4.2.2.1).
	Fragment bool
}

func (e *RedirectError) Error() string { return e.Err.Error() }

// HasPrompt reports whether the request asked for prompt value v.
func HasPrompt(prompt []string, v string) bool { return slices.Contains(prompt, v) }

// ParseAuthorize validates an authorization request that arrived at the authorization endpoint. A request that
// names a pushed request (RFC 9126 §4: client_id and a request_uri of this server's pushed authorization
// request endpoint) is replaced by the request pushed, which is consumed (pushed.go); otherwise the parameters
// are the request. Either way validateAuthorize decides: until the client and redirect URI are verified every
// error is a *ShowError; afterwards errors are *RedirectError.
func (p *Provider) ParseAuthorize(ctx context.Context, params Params) (*AuthorizeRequest, error) {
	if IsPushedRequestURI(params["request_uri"]) {
		pushed, err := p.redeemPushed(ctx, params)
		if err != nil {
			return nil, err
		}
		return p.validateAuthorize(ctx, pushed, true)
	}
	return p.validateAuthorize(ctx, params, false)
}

// validateAuthorize is the one validation of an authorization request's parameters, wherever they came from:
// the front channel (ParseAuthorize) or the pushed authorization request endpoint (Push, RFC 9126 §2.1: "in
// the same way as at the authorization endpoint"). pushed says the parameters were pushed by the authenticated
// client, which satisfies require_pushed_authorization_requests.
func (p *Provider) validateAuthorize(ctx context.Context, params Params, pushed bool) (*AuthorizeRequest, error) {
	show := func(desc string) error { return &ShowError{Err: InvalidRequest(desc)} }
	clientID := params["client_id"]
	if clientID == "" {
		return nil, show("The request has no client_id.")
	}
	client, err := p.Clients.Get(ctx, clientID)
	if errors.Is(err, ErrClientNotFound) || errors.Is(err, store.ErrNotFound) {
		// RFC 6749 §4.1.2.1: without a verified client and redirect URI the error is shown, never redirected; a
		// client refused with a reason (a metadata document) gets that reason on the page.
		if r := ClientRefusal(err); r != nil {
			return nil, &ShowError{Err: InvalidClient(r.Description).WithStatus(http.StatusBadRequest).WithCause(err)}
		}
		return nil, show("The application (client_id) is not known to this server.")
	}
	if err != nil {
		return nil, &ShowError{Err: ServerError(err)}
	}
	redirect, ok := MatchRedirectURI(client.RedirectURIs, params["redirect_uri"])
	if !ok {
		desc := "The redirect_uri is not registered for this application."
		if params["redirect_uri"] == "" {
			desc = "The request has no redirect_uri, and the application has several registered."
		}
		return nil, &ShowError{Err: InvalidRequest(desc), Client: client}
	}
	r := &AuthorizeRequest{Client: client, RedirectURI: redirect, RedirectURIGiven: params["redirect_uri"] != "",
		State: params["state"], Nonce: params["nonce"], LoginHint: params["login_hint"], MaxAge: -1,
		UILocales: params["ui_locales"],
		Prompt:    strings.Fields(params["prompt"])}
	fragment := params["response_type"] == ResponseTypeToken
	fail := func(e *Error) error {
		return &RedirectError{Err: e, Client: client, RedirectURI: redirect, State: r.State, Prompt: r.Prompt,
			Fragment: fragment}
	}

	// RFC 9126 §4: a host or client that requires pushed requests refuses the front channel's own parameters,
	// with invalid_request, sent back like every error after the redirect URI is verified (RFC 6749 §4.1.2.1).
	if !pushed && p.requirePushed(client) {
		return nil, fail(InvalidRequest("this application must push its authorization requests (pushed " +
			"authorization requests, RFC 9126) and send only client_id and request_uri here"))
	}
	// OIDC Core §6: request objects are not supported, and saying so beats ignoring them.
	if params["request"] != "" {
		return nil, fail(RequestNotSupported())
	}
	if params["request_uri"] != "" {
		return nil, fail(RequestURINotSupported())
	}
	if err := p.checkResponseType(client, params); err != nil {
		return nil, fail(err)
	}
	r.ResponseType = params["response_type"]
	if err := checkResponseMode(r.ResponseType, params["response_mode"]); err != nil {
		return nil, fail(err)
	}
	if r.ResponseType == ResponseTypeToken {
		// The token is delivered to the redirect URI itself: there is no code for PKCE to bind, and nowhere
		// to show a token for the out-of-band redirect.
		if redirect == OOBRedirect {
			return nil, fail(InvalidRequest("the out-of-band redirect cannot receive a token; use response_type=code"))
		}
	} else if err := p.checkPKCE(client, redirect, params, r); err != nil {
		return nil, fail(err)
	}
	if err := checkPrompt(r.Prompt); err != nil {
		return nil, fail(err)
	}
	if err := p.checkDPoPJKT(params, r); err != nil {
		return nil, fail(err)
	}
	if v := params["max_age"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fail(InvalidRequest("max_age must be a non-negative number of seconds"))
		}
		r.MaxAge = n
	}
	if hint := params["id_token_hint"]; hint != "" && p.oidc != nil {
		sub, err := p.oidc.HintSubject(ctx, hint)
		if err != nil {
			return nil, fail(InvalidRequest("the id_token_hint is not a valid id_token of this server"))
		}
		r.IDTokenHintSub = sub
	}
	// RFC 6749 §3.3, §4.1.2.1: a malformed scope is invalid_scope, redirected now that the client and redirect
	// URI are verified. Unknown well-formed scopes are dropped (as mod_http_oauth2 does); the client's registered
	// scopes bound the request.
	requested, e := ParseScope(params["scope"])
	if e != nil {
		return nil, fail(e)
	}
	r.Scopes = p.Scopes.Known(requested, client.Scopes)
	// RFC 8707 §2: a malformed, unknown or disallowed resource is invalid_target, redirected (RFC 6749 §4.1.2.1).
	if r.Resources, e = p.checkResources(client, params.Resources()); e != nil {
		return nil, fail(e)
	}
	return r, nil
}

// checkResponseType: RFC 6749 §4.1.1, §4.2.1, §4.1.2.1. code needs the authorization_code grant and token the
// implicit grant, each served by the host and registered for the client (RFC 7591 §2 pairs them).
func (p *Provider) checkResponseType(client *store.Client, params Params) *Error {
	rt := params["response_type"]
	grant := GrantAuthorizationCode
	if rt == ResponseTypeToken {
		grant = GrantImplicit
	}
	switch {
	case rt == "":
		return InvalidRequest("response_type is required")
	case (rt != ResponseTypeCode && rt != ResponseTypeToken) || !slices.Contains(p.Settings.ResponseTypes, rt) ||
		!p.Serves(grant):
		// The value is not quoted back: RFC 6749 §4.1.2.1 carries the description to the client's page.
		return UnsupportedResponseType("unsupported response_type")
	case !hasGrant(client, grant) && grant == GrantImplicit:
		return UnauthorizedClient("this application may not use the implicit grant")
	case grant == GrantImplicit && client.DPoPBoundAccessTokens && p.dpop != nil:
		// RFC 9449 §5.2: such a client's access tokens are always DPoP-bound, and the implicit grant has no
		// token request to carry a proof: it could only get Bearer tokens.
		return UnauthorizedClient("this application is registered for DPoP-bound tokens only, which the implicit grant cannot issue")
	case !hasGrant(client, grant):
		return UnauthorizedClient("this application may not use the authorization code flow")
	}
	return nil
}

// checkResponseMode: a code goes in the query; a token only ever in the fragment, never in a query that servers
// log (OAuth 2.0 Multiple Response Type Encoding Practices §3.0; RFC 6749 §4.2.2).
func checkResponseMode(rt, mode string) *Error {
	want := "query"
	if rt == ResponseTypeToken {
		want = "fragment"
	}
	if mode != "" && mode != want {
		return InvalidRequest("unsupported response_mode for this response_type; use " + want)
	}
	return nil
}

// checkPKCE: RFC 7636 §4.3–4.4 and RFC 9700 §2.1.1. Whether a challenge is required, and of which method, is
// pkceRule's one decision. The method is validated here, not only at the token endpoint. Refusals are
// invalid_request (RFC 7636 §4.4.1), sent back like every error after the redirect URI is verified (shown on a
// page for the out-of-band redirect).
func (p *Provider) checkPKCE(client *store.Client, redirect string, params Params, r *AuthorizeRequest) *Error {
	required, s256Only := p.pkceRule(client, redirect)
	challenge, method := params["code_challenge"], params["code_challenge_method"]
	if challenge == "" {
		switch {
		case method != "":
			return InvalidRequest("code_challenge_method without code_challenge")
		case required && redirect == OOBRedirect:
			return InvalidRequest("code_challenge is required for the out-of-band redirect (PKCE with S256, RFC 7636)")
		case required:
			return InvalidRequest("code_challenge is required (PKCE, RFC 7636)")
		}
		return nil
	}
	if method == "" {
		method = PKCEPlain // RFC 7636 §4.3: the default when absent
	}
	if s256Only && method != PKCES256 {
		return InvalidRequest("code_challenge_method must be S256 for the out-of-band redirect")
	}
	if !slices.Contains(p.Settings.CodeChallengeMethods, method) {
		return InvalidRequest("unsupported code_challenge_method; use " + JoinScope(p.Settings.CodeChallengeMethods))
	}
	if !ValidPKCEString(challenge) {
		return InvalidRequest("code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~")
	}
	r.CodeChallenge, r.CodeChallengeMethod = challenge, method
	return nil
}

// pkceRule is the one rule for when an authorization request needs a code_challenge (required) and whether only
// S256 will do (s256Only):
//   - the out-of-band redirect shows the code on a page, where whoever sees the screen can read it, so the code
//     must be bound to the app that asked: required, S256 only, for every client registered with Assentry,
//     public or confidential, whatever require_code_challenge says (OAuth 2.1 §4.1.1, RFC 9700 §2.1.1). A
//     plain challenge is the verifier itself, in the authorization URL the browser shows next to the code. A
//     legacy client (registered with mod_http_oauth2, which never asked for PKCE there) is exempt, for
//     compatibility, unless the host sets oob_require_pkce;
//   - otherwise: required when the host requires it (require_code_challenge), and always for public clients
//     (RFC 9700 §2.1.1), with any method the host allows.
func (p *Provider) pkceRule(client *store.Client, redirect string) (required, s256Only bool) {
	if redirect == OOBRedirect {
		if client.Legacy && !p.Settings.OOBRequirePKCE {
			return false, false
		}
		return true, true
	}
	return p.Settings.RequireCodeChallenge || client.TokenEndpointAuthMethod == AuthNone, false
}

// checkPrompt: OIDC Core §3.1.2.1: none must stand alone. Unknown values are ignored.
func checkPrompt(prompt []string) *Error {
	if slices.Contains(prompt, PromptNone) && len(prompt) > 1 {
		return InvalidRequest("prompt=none cannot be combined with other prompt values")
	}
	return nil
}
