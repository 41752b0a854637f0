package interaction

import (
	"testing"

	"github.com/assentry/assentry/store"
)

func TestOrigin(t *testing.T) {
	tests := []struct {
		name   string
		client store.Client
		want   string
	}{
		{"client_uri", store.Client{ClientURI: "https://App.example.com/home", RedirectURIs: []string{"https://cdn.example/cb"}}, "app.example.com"},
		{"redirect host", store.Client{RedirectURIs: []string{"https://login.example.org:8443/cb"}}, "login.example.org:8443"},
		{"native scheme then web", store.Client{RedirectURIs: []string{"com.example.app:/cb", "http://127.0.0.1:9000/cb"}}, "127.0.0.1:9000"},
		{"native only", store.Client{RedirectURIs: []string{"com.example.app:/cb"}}, ""},
		{"nothing", store.Client{}, ""},
	}
	for _, tt := range tests {
		if got := origin(&tt.client); got != tt.want {
			t.Errorf("%s: origin = %q, want %q", tt.name, got, tt.want)
		}
	}
}
