package httpapi

import (
	"net/http"
	"testing"

	"github.com/assentry/assentry/core/config"
)

// hstsHost is the issuer's host name of the https hosts below; the requests reach the test listener with it as
// their Host header, as they would through a reverse proxy.
const hstsHost = "auth.example.org"

// httpsBehind makes the host an https issuer behind a proxy at proxies, with hsts.max_age set unless maxAge is nil.
func httpsBehind(maxAge *int64, proxies ...string) envOption {
	return withConfig(func(c *config.Config) {
		c.Issuer, c.TrustedProxies = "https://"+hstsHost, proxies
		if maxAge != nil {
			c.HSTS = &config.HSTS{MaxAge: maxAge}
		}
	})
}

func seconds(n int64) *int64 { return &n }

// TestHSTS: Strict-Transport-Security is sent on an https issuer's answers that arrived over TLS, as a trusted
// proxy tells it or as the server saw itself, and never over plain HTTP (RFC 6797 §7.2).
func TestHSTS(t *testing.T) {
	tests := []struct {
		name   string
		opts   []envOption
		host   string   // Host header; "" for the listener's own address
		protos []string // X-Forwarded-Proto header lines
		path   string
		want   string // the header's value; "" for no header
	}{
		{name: "trusted proxy says https", opts: []envOption{httpsBehind(seconds(600), "127.0.0.1")},
			host: hstsHost, protos: []string{"https"}, path: "/login", want: "max-age=600"},
		{name: "default max-age is one year", opts: []envOption{httpsBehind(nil, "127.0.0.0/8")},
			host: hstsHost, protos: []string{"HTTPS"}, path: "/login", want: "max-age=31536000"},
		{name: "JSON answers carry it", opts: []envOption{httpsBehind(seconds(600), "127.0.0.1")},
			host: hstsHost, protos: []string{"https"}, path: "/.well-known/openid-configuration", want: "max-age=600"},
		{name: "errors carry it", opts: []envOption{httpsBehind(seconds(600), "127.0.0.1")},
			host: hstsHost, protos: []string{"https"}, path: "/no-such-page", want: "max-age=600"},
		{name: "untrusted peer says https", opts: []envOption{httpsBehind(seconds(600))},
			host: hstsHost, protos: []string{"https"}, path: "/login"},
		{name: "untrusted peer: another proxy is trusted", opts: []envOption{httpsBehind(seconds(600), "192.0.2.1")},
			host: hstsHost, protos: []string{"https"}, path: "/login"},
		{name: "plain http through the trusted proxy", opts: []envOption{httpsBehind(seconds(600), "127.0.0.1")},
			host: hstsHost, protos: []string{"http"}, path: "/login"},
		{name: "plain http, no header", opts: []envOption{httpsBehind(seconds(600), "127.0.0.1")},
			host: hstsHost, path: "/login"},
		{name: "a hop that was http", opts: []envOption{httpsBehind(seconds(600), "127.0.0.1")},
			host: hstsHost, protos: []string{"https, http"}, path: "/login"},
		{name: "a second header line that was http", opts: []envOption{httpsBehind(seconds(600), "127.0.0.1")},
			host: hstsHost, protos: []string{"https", "http"}, path: "/login"},
		{name: "http issuer", opts: []envOption{withConfig(func(c *config.Config) {
			c.TrustedProxies, c.HSTS = []string{"127.0.0.1"}, &config.HSTS{MaxAge: seconds(600)}
		})}, protos: []string{"https"}, path: "/login"},
		{name: "max_age 0 switches it off", opts: []envOption{httpsBehind(seconds(0), "127.0.0.1")},
			host: hstsHost, protos: []string{"https"}, path: "/login"},
		{name: "TLS to the server itself", opts: []envOption{withTLS(), withConfig(func(c *config.Config) {
			c.HSTS = &config.HSTS{MaxAge: seconds(600)}
		})}, path: "/login", want: "max-age=600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts...)
			req, _ := http.NewRequest(http.MethodGet, e.base+tt.path, nil)
			if tt.host != "" {
				req.Host = tt.host
			}
			for _, p := range tt.protos {
				req.Header.Add("X-Forwarded-Proto", p)
			}
			p := e.browser().do(req)
			if p.status >= 300 && p.status != http.StatusNotFound {
				t.Fatalf("status %d", p.status)
			}
			got := p.header.Values("Strict-Transport-Security")
			switch {
			case tt.want == "" && len(got) != 0:
				t.Errorf("Strict-Transport-Security %q, want none", got)
			case tt.want != "" && (len(got) != 1 || got[0] != tt.want):
				t.Errorf("Strict-Transport-Security %q, want exactly %q", got, tt.want)
			}
		})
	}
}
