package interaction

import (
	"testing"

	"github.com/assentry/assentry/store"
)

// TestClientOrigin: the one host every page shows beside a client's name. A metadata document client is its
// client_id URL's host whatever its document says; any other client its client_uri's, else its first web
// redirect URI's.
func TestClientOrigin(t *testing.T) {
	tests := []struct {
		name      string
		client    store.Client
		redirects []string
		want      string
	}{
		{"client_uri", store.Client{ClientURI: "https://App.example.com/home"}, []string{"https://cdn.example/cb"}, "app.example.com"},
		{"redirect host", store.Client{}, []string{"https://login.example.org:8443/cb"}, "login.example.org:8443"},
		{"native scheme then web", store.Client{}, []string{"com.example.app:/cb", "http://127.0.0.1:9000/cb"}, "127.0.0.1:9000"},
		{"native only", store.Client{}, []string{"com.example.app:/cb"}, ""},
		{"nothing", store.Client{}, nil, ""},
		{"metadata document naming another host", store.Client{ID: "https://tool.example.net/client.json",
			MetadataDocument: true, ClientURI: "https://bank.example.com/"}, []string{"https://bank.example.com/cb"},
			"tool.example.net"},
	}
	for _, tt := range tests {
		if got := ClientOrigin(&tt.client, tt.redirects...); got != tt.want {
			t.Errorf("%s: ClientOrigin = %q, want %q", tt.name, got, tt.want)
		}
		if got := PageClient(&tt.client).Origin; tt.redirects == nil && got != tt.want {
			t.Errorf("%s: PageClient().Origin = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestClientHome: the client's site is linked only when it is https and, for a metadata document client, on the
// host the server fetched the document from.
func TestClientHome(t *testing.T) {
	tests := []struct {
		name   string
		client store.Client
		want   string
	}{
		{"https", store.Client{ClientURI: "https://app.example.com/"}, "https://app.example.com/"},
		{"http", store.Client{ClientURI: "http://app.example.com/"}, ""},
		{"javascript", store.Client{ClientURI: "javascript:alert(1)"}, ""},
		{"none", store.Client{}, ""},
		{"metadata document, same host", store.Client{ID: "https://tool.example.net/c.json", MetadataDocument: true,
			ClientURI: "https://TOOL.example.net/about"}, "https://TOOL.example.net/about"},
		{"metadata document, another host", store.Client{ID: "https://tool.example.net/c.json", MetadataDocument: true,
			ClientURI: "https://bank.example.com/"}, ""},
		{"self-registered, redirects on its site", store.Client{Untrusted: true, ClientURI: "https://app.example.com/",
			RedirectURIs: []string{"https://app.example.com/cb"}}, "https://app.example.com/"},
		{"self-registered native client naming another site", store.Client{Untrusted: true,
			ClientURI: "https://bank.example.com/", RedirectURIs: []string{"http://127.0.0.1/cb"}}, ""},
	}
	for _, tt := range tests {
		if got := ClientHome(&tt.client); got != tt.want {
			t.Errorf("%s: ClientHome = %q, want %q", tt.name, got, tt.want)
		}
	}
}
