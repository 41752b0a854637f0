package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/store"
)

// Errors of client management. Sentinels compared with errors.Is, never mutated.
var (
	ErrClientNotFound = errors.New("no such client")
	ErrClientExists   = errors.New("client id is taken")
	// ErrFromConfig: the client is declared in the config file and is changed there, not with the CLI.
	ErrFromConfig = errors.New("client is declared in the config file; change it there")
)

// ClientSpecError is rejected client metadata; Field names the offending field.
type ClientSpecError struct{ Field, Msg string }

func (e *ClientSpecError) Error() string { return e.Field + ": " + e.Msg }

// ClientSpec is the operator-supplied metadata of a static client.
type ClientSpec struct {
	ID                     string // optional; generated when empty
	Name                   string
	ClientURI              string
	LogoURI                string
	TOSURI                 string
	PolicyURI              string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	GrantTypes             []string // default authorization_code + refresh_token
	Scopes                 []string
	AuthMethod             string // default client_secret_basic, or none when Public
	Public                 bool
	Introspect             bool
	Untrusted              bool
	IDTokenAlg             string // id_token_signed_response_alg; empty: the host's
	RequirePAR             bool   // require_pushed_authorization_requests (RFC 9126 §6)
	// Resources are the resource indicators the client may ask for (RFC 8707); empty: the host's.
	Resources []string
	// AccessTokenFormat is FormatOpaque (empty: the default) or FormatJWT (RFC 9068).
	AccessTokenFormat string
	DPoPBound         bool // dpop_bound_access_tokens (RFC 9449 §5.2)
}

// Clients manages the static clients of one host.
type Clients struct {
	host    string
	clients *cachedClients
	grants  []string // grant types the host allows
	// registry holds the announcements of the instances sharing the store; nil: this process is the only one.
	registry store.InstanceRegistry
	events   *events.Emitter // the clients the configuration sync deletes (WithEvents); nil drops them
	now      func() time.Time
}

// NewClients returns the client registry of a host; hostGrants are the grant types the host serves.
func NewClients(host string, clients store.ClientStore, hostGrants []string, now func() time.Time) *Clients {
	if now == nil {
		now = time.Now
	}
	return &Clients{host: host, clients: newCachedClients(clients, now), grants: hostGrants, now: now}
}

// Create validates spec and stores a new client. For a confidential client it returns the secret, a
// server-generated 256-bit value shown this once; only its SHA-256 is stored (a high-entropy secret needs no
// slow KDF, and the digest keeps client authentication fast).
func (c *Clients) Create(ctx context.Context, spec ClientSpec) (*store.Client, string, error) {
	cl, err := c.fromSpec(spec)
	if err != nil {
		return nil, "", err
	}
	if cl.ID == "" {
		// Hex, not base64url: an id starting with "-" would read as a flag on the command line. 20 bytes, not the
		// 16 of a user id: the client can then act for itself (client credentials) under the opaque subject
		// format, where an id-shaped client_id could pass for a user's sub (RFC 9700 §4.15).
		cl.ID = randomHex(20)
	}
	secret := ""
	if cl.TokenEndpointAuthMethod != AuthNone {
		secret = randomToken(32)
		cl.SecretHash = Digest(secret)
	}
	now := c.now().UTC()
	cl.CreatedAt, cl.UpdatedAt = now, now
	if err := c.clients.Create(ctx, cl); err != nil {
		return nil, "", c.mapErr(err, cl.ID)
	}
	return cl, secret, nil
}

// Update replaces the metadata of an existing CLI-made client; its secret stays unless the client becomes
// public (secret dropped) or confidential (a new secret is returned).
func (c *Clients) Update(ctx context.Context, id string, spec ClientSpec) (*store.Client, string, error) {
	old, err := c.Get(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if old.FromConfig {
		return nil, "", fmt.Errorf("%w: %s", ErrFromConfig, id)
	}
	spec.ID = id
	cl, err := c.fromSpec(spec)
	if err != nil {
		return nil, "", err
	}
	cl.CreatedAt, cl.UpdatedAt = old.CreatedAt, c.now().UTC()
	secret := ""
	switch {
	case cl.TokenEndpointAuthMethod == AuthNone:
	case old.SecretHash != "":
		cl.SecretHash = old.SecretHash
	default:
		secret = randomToken(32)
		cl.SecretHash = Digest(secret)
	}
	if err := c.clients.Update(ctx, cl); err != nil {
		return nil, "", c.mapErr(err, id)
	}
	return cl, secret, nil
}

// RotateSecret gives a confidential client a new secret; the old one stops working at once.
func (c *Clients) RotateSecret(ctx context.Context, id string) (string, error) {
	cl, err := c.Get(ctx, id)
	if err != nil {
		return "", err
	}
	if cl.FromConfig {
		return "", fmt.Errorf("%w: %s", ErrFromConfig, id)
	}
	if cl.TokenEndpointAuthMethod == AuthNone {
		return "", &ClientSpecError{Field: "client", Msg: "a public client has no secret to rotate"}
	}
	secret := randomToken(32)
	cl.SecretHash = Digest(secret)
	cl.UpdatedAt = c.now().UTC()
	if err := c.clients.Update(ctx, cl); err != nil {
		return "", c.mapErr(err, id)
	}
	return secret, nil
}

// Get returns a client by id.
func (c *Clients) Get(ctx context.Context, id string) (*store.Client, error) {
	cl, err := c.clients.Get(ctx, c.host, id)
	return cl, c.mapErr(err, id)
}

// List returns the host's clients.
func (c *Clients) List(ctx context.Context) ([]*store.Client, error) {
	return c.clients.List(ctx, c.host)
}

// Delete removes a CLI-made client and revokes every grant issued to it.
func (c *Clients) Delete(ctx context.Context, id string) error {
	cl, err := c.Get(ctx, id)
	if err != nil {
		return err
	}
	if cl.FromConfig {
		return fmt.Errorf("%w: %s", ErrFromConfig, id)
	}
	return c.mapErr(c.clients.Delete(ctx, c.host, id), id)
}

// ConfigClient is a client declared in the config file: its secret is given as a SHA-256 digest or as the
// name of an environment variable (resolved by the caller into SecretSHA256 as well).
type ConfigClient struct {
	Spec         ClientSpec
	SecretSHA256 string
	SecretEnv    string
}

// SyncConfig makes the stored config-declared clients equal to declared: new ones are created, changed ones
// replaced, and those no longer declared deleted (with their grants) unless another live instance declares them
// (PruneConfig). CLI-made clients are untouched; a declared id that clashes with a CLI-made client is an error.
// Where two live instances declare one id differently, the last to sync wins: each writes its own version.
func (c *Clients) SyncConfig(ctx context.Context, declared []ConfigClient) error {
	existing, err := c.List(ctx)
	if err != nil {
		return err
	}
	byID := map[string]*store.Client{}
	for _, cl := range existing {
		byID[cl.ID] = cl
	}
	seen := map[string]bool{}
	for _, d := range declared {
		cl, err := c.fromConfig(d)
		if err != nil {
			return err
		}
		if old, ok := byID[cl.ID]; ok {
			if !old.FromConfig {
				return fmt.Errorf("client %s: declared in the config file but already made with the CLI", cl.ID)
			}
			cl.CreatedAt = old.CreatedAt
		}
		seen[cl.ID] = true
		if err := c.clients.Put(ctx, cl); err != nil {
			return err
		}
	}
	_, err = c.prune(ctx, existing, seen)
	return err
}

func (c *Clients) fromSpec(s ClientSpec) (*store.Client, error) {
	if strings.TrimSpace(s.Name) == "" {
		return nil, &ClientSpecError{"client_name", "required"}
	}
	if s.ID != "" && (len(s.ID) > 255 || strings.ContainsFunc(s.ID, func(r rune) bool { return r < 0x21 || r > 0x7e })) {
		return nil, &ClientSpecError{"client_id", "must be 1–255 visible ASCII characters"}
	}
	for field, u := range map[string]string{"client_uri": s.ClientURI, "logo_uri": s.LogoURI, "tos_uri": s.TOSURI, "policy_uri": s.PolicyURI} {
		if u != "" {
			if err := checkWebURL(u); err != nil {
				return nil, &ClientSpecError{field, err.Error()}
			}
		}
	}
	for _, u := range s.RedirectURIs {
		if err := CheckRedirectURI(u); err != nil {
			return nil, &ClientSpecError{"redirect_uris", err.Error()}
		}
	}
	for _, u := range s.PostLogoutRedirectURIs {
		if err := CheckRedirectURI(u); err != nil {
			return nil, &ClientSpecError{"post_logout_redirect_uris", err.Error()}
		}
	}
	grants := make([]string, len(s.GrantTypes))
	for i, g := range s.GrantTypes {
		if g == GrantDeviceCodeShort {
			g = GrantDeviceCode // mod_http_oauth2's name of the device grant
		}
		grants[i] = g
	}
	if len(grants) == 0 {
		grants = []string{GrantAuthorizationCode, GrantRefreshToken}
	}
	for _, g := range grants {
		if !slices.Contains(c.grants, g) {
			return nil, &ClientSpecError{"grant_types", fmt.Sprintf("%q is not enabled on this host (grant_types: %v)", g, c.grants)}
		}
	}
	for _, g := range []string{GrantAuthorizationCode, GrantImplicit} {
		if slices.Contains(grants, g) && len(s.RedirectURIs) == 0 {
			return nil, &ClientSpecError{"redirect_uris", "at least one is required for the " + g + " grant"}
		}
	}
	method := s.AuthMethod
	switch {
	case method == "" && s.Public:
		method = AuthNone
	case method == "":
		method = AuthClientSecretBasic
	case s.Public && method != AuthNone:
		return nil, &ClientSpecError{"token_endpoint_auth_method", "a public client uses none"}
	}
	if !slices.Contains([]string{AuthClientSecretBasic, AuthClientSecretPost, AuthNone}, method) {
		return nil, &ClientSpecError{"token_endpoint_auth_method", fmt.Sprintf("%q is not one of client_secret_basic, client_secret_post, none", method)}
	}
	// RFC 6749 §4.4 and §4.3: grants that rest on the client's own credentials are for confidential clients.
	for _, g := range []string{GrantClientCredentials, GrantPassword} {
		if method == AuthNone && slices.Contains(grants, g) {
			return nil, &ClientSpecError{"grant_types", fmt.Sprintf("%q is only for confidential clients (a public client has no secret)", g)}
		}
	}
	if s.IDTokenAlg != "" && !slices.Contains(IDTokenAlgorithms, s.IDTokenAlg) {
		return nil, &ClientSpecError{"id_token_signed_response_alg", fmt.Sprintf("%q is not one of %v", s.IDTokenAlg, IDTokenAlgorithms)}
	}
	if _, e := ParseResources(s.Resources); e != nil {
		return nil, &ClientSpecError{"resources", e.Description}
	}
	if f := s.AccessTokenFormat; f != "" && f != FormatOpaque && f != FormatJWT {
		return nil, &ClientSpecError{"access_token_format", fmt.Sprintf("%q is not one of opaque, jwt", f)}
	}
	for _, sc := range s.Scopes {
		if !ValidScopeToken(sc) {
			return nil, &ClientSpecError{"scope", fmt.Sprintf("%q is not a valid scope token (RFC 6749 §3.3)", sc)}
		}
	}
	return &store.Client{ID: s.ID, Host: c.host, Name: s.Name, ClientURI: s.ClientURI, LogoURI: s.LogoURI,
		TOSURI: s.TOSURI, PolicyURI: s.PolicyURI, RedirectURIs: s.RedirectURIs,
		PostLogoutRedirectURIs: s.PostLogoutRedirectURIs, GrantTypes: grants, Scopes: s.Scopes,
		TokenEndpointAuthMethod: method, Introspect: s.Introspect, Untrusted: s.Untrusted,
		IDTokenSignedResponseAlg: s.IDTokenAlg, RequirePushedAuthorizationRequests: s.RequirePAR,
		Resources: slices.Clone(s.Resources), AccessTokenFormat: s.AccessTokenFormat,
		DPoPBoundAccessTokens: s.DPoPBound}, nil
}

func (c *Clients) mapErr(err error, id string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %s", ErrClientNotFound, id)
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("%w: %s", ErrClientExists, id)
	}
	return err
}

// CheckRedirectURI applies the registration-time rules every redirect URI must meet: absolute, no fragment
// (RFC 6749 §3.1.2).
func CheckRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("%q is not an absolute URI", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("%q must not contain a fragment (RFC 6749 §3.1.2)", raw)
	}
	if (u.Scheme == "http" || u.Scheme == "https") && u.Host == "" {
		return fmt.Errorf("%q has no host", raw)
	}
	return nil
}

func checkWebURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q must not contain userinfo", raw)
	}
	return nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// randomToken returns n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
