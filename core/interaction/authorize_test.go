package interaction

import (
	"testing"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
)

// TestRedirectsPromptNone: which untrusted clients' prompt=none errors before sign-in are redirected. A
// metadata document client only to a redirect URI on its client_id URL's origin (scheme, host and port, the
// default port named or not); a registered client always; nothing without prompt=none.
func TestRedirectsPromptNone(t *testing.T) {
	const doc = "https://tool.example.com/oauth/client.json"
	tests := []struct {
		name     string
		client   store.Client
		redirect string
		prompt   []string
		want     bool
	}{
		{"document, same origin", store.Client{ID: doc, MetadataDocument: true}, "https://tool.example.com/cb", []string{"none"}, true},
		{"document, default port named", store.Client{ID: doc, MetadataDocument: true}, "https://TOOL.example.com:443/cb", []string{"none"}, true},
		{"document, other host", store.Client{ID: doc, MetadataDocument: true}, "https://evil.example/cb", []string{"none"}, false},
		{"document, other port", store.Client{ID: doc, MetadataDocument: true}, "https://tool.example.com:8443/cb", []string{"none"}, false},
		{"document, other scheme", store.Client{ID: doc, MetadataDocument: true}, "http://tool.example.com/cb", []string{"none"}, false},
		{"document, loopback", store.Client{ID: doc, MetadataDocument: true}, "http://127.0.0.1/cb", []string{"none"}, false},
		{"registered", store.Client{ID: "reg", Untrusted: true}, "https://evil.example/cb", []string{"none"}, true},
		{"no prompt=none", store.Client{ID: doc, MetadataDocument: true}, "https://tool.example.com/cb", []string{"login"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re := &oauth.RedirectError{Err: oauth.LoginRequired("the user is not signed in"), Client: &tt.client, RedirectURI: tt.redirect, Prompt: tt.prompt}
			if got := redirectsPromptNone(re); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
