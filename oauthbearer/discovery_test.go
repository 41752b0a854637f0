package oauthbearer

import (
	"context"
	"strings"
	"testing"
)

// TestDiscover: the document's issuer must be the one asked for exactly; a trailing "/" is another issuer.
func TestDiscover(t *testing.T) {
	is := newTestIssuer(t)
	m, err := Discover(context.Background(), nil, is.srv.URL)
	if err != nil || m.Issuer != is.srv.URL || m.JWKSURI != is.srv.URL+"/oauth2/jwks" {
		t.Fatalf("%+v %v", m, err)
	}
	if _, err := Discover(context.Background(), nil, is.srv.URL+"/"); err == nil || !strings.Contains(err.Error(), "names the issuer") {
		t.Errorf("issuer with a trailing /: %v", err)
	}
	if got := DiscoveryURL("https://auth.example.net/"); got != "https://auth.example.net/.well-known/openid-configuration" {
		t.Errorf("DiscoveryURL: %s", got)
	}
}
