package oauthbearer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Metadata is what a resource server needs from the authorization server's discovery document (OpenID Connect
// Discovery 1.0 §3, RFC 8414 §2).
type Metadata struct {
	Issuer                string `json:"issuer"`
	JWKSURI               string `json:"jwks_uri"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
}

// DiscoveryURL is where issuer publishes its OpenID Provider metadata, the URL a failure names
// (Authenticator.OpenIDConfiguration).
func DiscoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}

// maxDocument bounds what is read of a discovery document, a JWKS or an introspection answer.
const maxDocument = 1 << 20

// Discover fetches issuer's discovery document. Its issuer must be exactly the one asked for, character for
// character (OpenID Connect Discovery 1.0 §4.3, RFC 8414 §3.3): otherwise another server could name the keys or
// the endpoint. Assentry's issuers have no trailing "/".
func Discover(ctx context.Context, client *http.Client, issuer string) (*Metadata, error) {
	var m Metadata
	if err := getJSON(ctx, client, DiscoveryURL(issuer), &m); err != nil {
		return nil, err
	}
	if m.Issuer != issuer {
		return nil, fmt.Errorf("oauthbearer: the discovery document of %s names the issuer %q", issuer, m.Issuer)
	}
	return &m, nil
}

// getJSON GETs url and decodes a 200 answer into v.
func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("oauthbearer: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	res, err := httpClient(client).Do(req)
	if err != nil {
		return fmt.Errorf("oauthbearer: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxDocument))
	if err != nil {
		return fmt.Errorf("oauthbearer: reading %s: %w", url, err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("oauthbearer: GET %s: %s", url, res.Status)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("oauthbearer: GET %s: %w", url, err)
	}
	return nil
}

// defaultHTTPTimeout bounds a request of a verifier given no client of its own: a verifier must not hang an
// authentication forever.
const defaultHTTPTimeout = 10 * time.Second

// httpClient is c, or a client on the default transport with defaultHTTPTimeout.
func httpClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: defaultHTTPTimeout}
}
