package admin

import (
	"context"
	"encoding/json"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
)

// ClientArgs are the arguments of client.add and client.update. For an update, a nil field keeps the current
// value; for an add, nil means the default.
type ClientArgs struct {
	ID                     string    `json:"client_id,omitempty"`
	Name                   *string   `json:"client_name,omitempty"`
	ClientURI              *string   `json:"client_uri,omitempty"`
	LogoURI                *string   `json:"logo_uri,omitempty"`
	TOSURI                 *string   `json:"tos_uri,omitempty"`
	PolicyURI              *string   `json:"policy_uri,omitempty"`
	RedirectURIs           *[]string `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs *[]string `json:"post_logout_redirect_uris,omitempty"`
	GrantTypes             *[]string `json:"grant_types,omitempty"`
	Scopes                 *[]string `json:"scopes,omitempty"`
	AuthMethod             *string   `json:"token_endpoint_auth_method,omitempty"`
	Public                 *bool     `json:"public,omitempty"`
	Introspect             *bool     `json:"introspect,omitempty"`
	Untrusted              *bool     `json:"untrusted,omitempty"`
	IDTokenAlg             *string   `json:"id_token_signed_response_alg,omitempty"`
	RequirePAR             *bool     `json:"require_pushed_authorization_requests,omitempty"`
	Resources              *[]string `json:"resources,omitempty"`
	AccessTokenFormat      *string   `json:"access_token_format,omitempty"`
	DPoPBound              *bool     `json:"dpop_bound_access_tokens,omitempty"`
}

// ClientView is what the CLI shows of a client (never the secret hash).
type ClientView struct {
	ID                     string    `json:"client_id"`
	Name                   string    `json:"client_name"`
	ClientURI              string    `json:"client_uri,omitempty"`
	LogoURI                string    `json:"logo_uri,omitempty"`
	TOSURI                 string    `json:"tos_uri,omitempty"`
	PolicyURI              string    `json:"policy_uri,omitempty"`
	RedirectURIs           []string  `json:"redirect_uris"`
	PostLogoutRedirectURIs []string  `json:"post_logout_redirect_uris,omitempty"`
	GrantTypes             []string  `json:"grant_types"`
	Scopes                 []string  `json:"scopes,omitempty"`
	AuthMethod             string    `json:"token_endpoint_auth_method"`
	Introspect             bool      `json:"introspect"`
	Untrusted              bool      `json:"untrusted"`
	IDTokenAlg             string    `json:"id_token_signed_response_alg,omitempty"`
	RequirePAR             bool      `json:"require_pushed_authorization_requests"`
	Resources              []string  `json:"resources,omitempty"`
	AccessTokenFormat      string    `json:"access_token_format,omitempty"`
	DPoPBound              bool      `json:"dpop_bound_access_tokens,omitempty"`
	FromConfig             bool      `json:"from_config"`
	CreatedAt              time.Time `json:"created_at"`
}

// ClientResult is the answer of client.add, client.update and client.rotate-secret. ClientSecret is set only
// when a new secret was made: it is shown this once.
type ClientResult struct {
	Client       *ClientView `json:"client,omitempty"`
	ClientID     string      `json:"client_id"`
	ClientSecret string      `json:"client_secret,omitempty"`
}

func viewClient(c *store.Client) *ClientView {
	return &ClientView{ID: c.ID, Name: c.Name, ClientURI: c.ClientURI, LogoURI: c.LogoURI, TOSURI: c.TOSURI,
		PolicyURI: c.PolicyURI, RedirectURIs: nonNil(c.RedirectURIs), PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		GrantTypes: nonNil(c.GrantTypes), Scopes: c.Scopes, AuthMethod: c.TokenEndpointAuthMethod,
		Introspect: c.Introspect, Untrusted: c.Untrusted, IDTokenAlg: c.IDTokenSignedResponseAlg,
		RequirePAR: c.RequirePushedAuthorizationRequests, Resources: c.Resources, AccessTokenFormat: c.AccessTokenFormat,
		DPoPBound: c.DPoPBoundAccessTokens, FromConfig: c.FromConfig, CreatedAt: c.CreatedAt}
}

// apply overlays the set fields of a onto spec.
func (a *ClientArgs) apply(spec *oauth.ClientSpec) {
	overlay(&spec.Name, a.Name)
	overlay(&spec.ClientURI, a.ClientURI)
	overlay(&spec.LogoURI, a.LogoURI)
	overlay(&spec.TOSURI, a.TOSURI)
	overlay(&spec.PolicyURI, a.PolicyURI)
	overlay(&spec.RedirectURIs, a.RedirectURIs)
	overlay(&spec.PostLogoutRedirectURIs, a.PostLogoutRedirectURIs)
	overlay(&spec.GrantTypes, a.GrantTypes)
	overlay(&spec.Scopes, a.Scopes)
	overlay(&spec.AuthMethod, a.AuthMethod)
	overlay(&spec.Public, a.Public)
	overlay(&spec.Introspect, a.Introspect)
	overlay(&spec.Untrusted, a.Untrusted)
	overlay(&spec.IDTokenAlg, a.IDTokenAlg)
	overlay(&spec.RequirePAR, a.RequirePAR)
	overlay(&spec.Resources, a.Resources)
	overlay(&spec.AccessTokenFormat, a.AccessTokenFormat)
	overlay(&spec.DPoPBound, a.DPoPBound)
	if a.Public != nil && *a.Public && a.AuthMethod == nil {
		spec.AuthMethod = oauth.AuthNone
	}
	if a.Public != nil && !*a.Public && a.AuthMethod == nil && spec.AuthMethod == oauth.AuthNone {
		spec.AuthMethod = ""
	}
}

// overlay sets *dst to *src when src is set.
func overlay[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func specOf(c *store.Client) oauth.ClientSpec {
	return oauth.ClientSpec{ID: c.ID, Name: c.Name, ClientURI: c.ClientURI, LogoURI: c.LogoURI, TOSURI: c.TOSURI,
		PolicyURI: c.PolicyURI, RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		GrantTypes: c.GrantTypes, Scopes: c.Scopes, AuthMethod: c.TokenEndpointAuthMethod,
		Public: c.TokenEndpointAuthMethod == oauth.AuthNone, Introspect: c.Introspect, Untrusted: c.Untrusted,
		IDTokenAlg: c.IDTokenSignedResponseAlg, RequirePAR: c.RequirePushedAuthorizationRequests,
		Resources: c.Resources, AccessTokenFormat: c.AccessTokenFormat, DPoPBound: c.DPoPBoundAccessTokens}
}

func clientAdd(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	var a ClientArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	spec := oauth.ClientSpec{ID: a.ID}
	a.apply(&spec)
	c, secret, err := hs.Clients.Create(ctx, spec)
	if err != nil {
		return nil, err
	}
	return ClientResult{Client: viewClient(c), ClientID: c.ID, ClientSecret: secret}, nil
}

func clientUpdate(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	var a ClientArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	cur, err := hs.Clients.Get(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	spec := specOf(cur)
	a.apply(&spec)
	c, secret, err := hs.Clients.Update(ctx, a.ID, spec)
	if err != nil {
		return nil, err
	}
	return ClientResult{Client: viewClient(c), ClientID: c.ID, ClientSecret: secret}, nil
}

func clientRotate(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	var a ClientArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	secret, err := hs.Clients.RotateSecret(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return ClientResult{ClientID: a.ID, ClientSecret: secret}, nil
}

func clientList(ctx context.Context, hs *HostServices, _ json.RawMessage) (any, error) {
	cs, err := hs.Clients.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*ClientView, 0, len(cs))
	for _, c := range cs {
		out = append(out, viewClient(c))
	}
	return out, nil
}

func clientDel(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	var a ClientArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	if err := hs.Clients.Delete(ctx, a.ID); err != nil {
		return nil, err
	}
	// Deleting a static client revokes every grant issued to it (store.ClientStore.Delete).
	hs.Events.Emit(ctx, events.Event{Kind: events.ClientRevoked, ClientID: a.ID, Reason: "deleted"})
	return struct{}{}, nil
}
