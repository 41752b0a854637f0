package registration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// ErrMetadataDocument is the cause (for the log) of a client_id URL refused as a Client ID Metadata Document;
// like any unknown client it also wraps oauth.ErrClientNotFound.
var ErrMetadataDocument = errors.New("the client's metadata document is refused")

// Fetcher fetches a Client ID Metadata Document and returns its body (core/cimd.Fetcher, behind this interface so
// that this package makes no request itself). An error with a Reason method is a refusal the client may read (the
// URL's host is not public, the answer was a redirect, not JSON, too large, ...); any other error is the server's
// own failure.
type Fetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// fetchRefusal is a Fetcher's refusal: Reason says why, for the client.
type fetchRefusal interface{ Reason() string }

// DocumentOptions configure the Documents of one host.
type DocumentOptions struct {
	Host    string
	Fetcher Fetcher
	Rules   Rules
	// NoDefaultRules: builtin_policy.validate_registration: false, as for Options.
	NoDefaultRules bool
	Policy         policy.Policy // the host's policy chain, for validate_registration (required)
	Events         *events.Emitter
	Now            func() time.Time // nil: time.Now; a client's CreatedAt is when it was looked up
}

// Documents turns a client_id that is the https URL of a Client ID Metadata Document
// (draft-ietf-oauth-client-id-metadata-document) into a client: the document is fetched (Fetcher), checked
// against the draft's rules, then exactly as a registration's metadata is (the host's own checks, the
// validate_registration hook with operation metadata_document, the default rules), on every lookup, so a
// changed policy applies at once. Such a client is public (no secret can be shared through a public document)
// and untrusted. It implements oauth.ClientSource; nothing is stored.
type Documents struct {
	fetcher Fetcher
	checker checker
	now     func() time.Time
}

var _ oauth.ClientSource = (*Documents)(nil)

// NewDocuments returns the metadata document source of a host.
func NewDocuments(o DocumentOptions) (*Documents, error) {
	switch {
	case o.Fetcher == nil || o.Policy == nil:
		return nil, errors.New("registration: a metadata document source needs a fetcher and a policy chain")
	case o.Host == "":
		return nil, errors.New("registration: the host id is required")
	}
	if o.Rules.IDTokenAlgs == nil {
		o.Rules.IDTokenAlgs = oauth.IDTokenAlgorithms
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Documents{fetcher: o.Fetcher, now: o.Now, checker: checker{host: o.Host, policy: o.Policy, rules: o.Rules,
		defaults: !o.NoDefaultRules, events: o.Events}}, nil
}

// Get returns the client a client_id URL stands for. A refusal (a bad URL, a failed fetch, a document that
// breaks a rule or that the policy rejects) is invalid_client saying why, and wraps oauth.ErrClientNotFound:
// every flow treats it as an unknown client, and the authorization endpoint shows the reason on its page. A
// policy failing closed is returned as it is (a server error).
func (d *Documents) Get(ctx context.Context, id string) (*store.Client, error) {
	if _, err := CheckDocumentURL(id); err != nil {
		return nil, refuseDocument(err.Error(), err)
	}
	body, err := d.fetcher.Fetch(ctx, id)
	var refusal fetchRefusal
	switch {
	case errors.As(err, &refusal):
		return nil, refuseDocument(refusal.Reason(), err)
	case err != nil:
		return nil, err
	}
	m, err := parseDocument(body, id)
	if err == nil {
		m, err = d.checker.rules.Normalize(m)
	}
	if err == nil {
		m, err = d.checker.validate(ctx, m, source{operation: policy.OperationMetadataDocument, clientID: id,
			info: RequestInfo{AuthKind: "anonymous"}})
	}
	// A policy's patch may not turn the client into one with a secret.
	if err == nil && m.TokenEndpointAuthMethod != oauth.AuthNone {
		err = invalidMetadata(fieldAuthMethod, "must be none for a client identified by a metadata document")
	}
	var oe *oauth.Error
	switch {
	case errors.As(err, &oe) && !oe.ServerFailure():
		return nil, refuseDocument("the client's metadata document is refused: "+oe.Description, err)
	case err != nil:
		return nil, err
	}
	return documentClient(d.checker, id, m, d.now()), nil
}

// refuseDocument is the invalid_client answer to a refused metadata document client: desc is for the client,
// cause for the log.
func refuseDocument(desc string, cause error) error {
	return oauth.InvalidClient(desc).WithCause(fmt.Errorf("%w: %w: %w", oauth.ErrClientNotFound, ErrMetadataDocument, cause))
}

// parseDocument reads a metadata document fetched from url and applies the draft's own rules
// (draft-ietf-oauth-client-id-metadata-document-02 §4) before the registration rules see it: a JSON object
// whose client_id equals url by simple string comparison (RFC 3986 §6.2.1), without a client_secret or
// client_secret_expires_at, with no shared-secret authentication method. token_endpoint_auth_method defaults to
// none (RFC 7591's default, client_secret_basic, cannot apply: no secret can be issued); private_key_jwt, which
// the draft allows, is not supported by this server.
func parseDocument(body []byte, url string) (*Metadata, error) {
	m, err := parseMetadata(body)
	if err != nil {
		return nil, err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, invalidMetadata("", "the document is not a JSON object")
	}
	var id string
	if raw, ok := members["client_id"]; !ok || json.Unmarshal(raw, &id) != nil {
		return nil, invalidMetadata("client_id", "is required and must be a string (the document's own URL)")
	}
	if id != url {
		return nil, invalidMetadata("client_id", "does not equal the URL the document was fetched from")
	}
	for _, name := range []string{"client_secret", "client_secret_expires_at"} {
		if _, ok := members[name]; ok {
			return nil, invalidMetadata(name, "must not be present: a metadata document cannot carry a shared secret")
		}
	}
	switch method := m.TokenEndpointAuthMethod; {
	case method == "":
		m.TokenEndpointAuthMethod = oauth.AuthNone
	case method == oauth.AuthNone:
	case strings.HasPrefix(method, "client_secret_"):
		return nil, invalidMetadata(fieldAuthMethod, "must not be a shared-secret method (client_secret_basic, "+
			"client_secret_post, client_secret_jwt); use none")
	default:
		return nil, invalidMetadata(fieldAuthMethod, "is not supported for metadata document clients; use none")
	}
	return m, nil
}

// documentClient builds the client of validated metadata: public, untrusted (errors before the user
// authenticates are shown, not redirected: RFC 9700 §4.11.2), marked as a metadata document client.
func documentClient(c checker, id string, m *Metadata, now time.Time) *store.Client {
	cl := &store.Client{ID: id, Host: c.host, Name: m.ClientName, ClientURI: m.ClientURI, LogoURI: m.LogoURI,
		TOSURI: m.TOSURI, PolicyURI: m.PolicyURI, RedirectURIs: m.RedirectURIs,
		PostLogoutRedirectURIs: m.PostLogoutRedirectURIs, GrantTypes: m.GrantTypes, Scopes: strings.Fields(m.Scope),
		TokenEndpointAuthMethod: oauth.AuthNone, IDTokenSignedResponseAlg: m.IDTokenSignedResponseAlg,
		// RFC 9126 §6, as for a registered client: a document may require its requests to be pushed.
		RequirePushedAuthorizationRequests: m.RequirePushedAuthorizationRequests,
		Untrusted:                          true, MetadataDocument: true, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	// RFC 7591 §2.1 pairs response type token with the implicit grant, as for registered clients.
	if slices.Contains(m.ResponseTypes, oauth.ResponseTypeToken) && !slices.Contains(cl.GrantTypes, oauth.GrantImplicit) {
		cl.GrantTypes = append(slices.Clone(cl.GrantTypes), oauth.GrantImplicit)
	}
	return cl
}
