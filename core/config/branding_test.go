package config

import "testing"

func TestBrandingRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "logo and support link", yaml: "branding: {logo: img/logo.svg, support_url: https://example.com/help}\n"},
		{name: "logo as its URL path", yaml: "branding: {logo: /static/img/logo.svg}\n"},
		{name: "bad branding", yaml: `
branding:
  logo: https://cdn.example.com/logo.svg
  support_url: http://example.com/help
`, want: []string{`branding.logo: "https://cdn.example.com/logo.svg" must be a file of the theme's static/ directory`,
			`branding.support_url: "http://example.com/help" must be https (http only on loopback)`}},
		{name: "logo leaving static", yaml: "branding: {logo: ../secret.svg}\n",
			want: []string{`branding.logo: "../secret.svg" must be a clean relative path inside static/`}},
		{name: "inherited and checked once", yaml: `
branding: {logo: /etc/passwd}
hosts:
  - {id: a, issuer: "https://a.example.com"}
  - {id: b, issuer: "https://b.example.com"}
`, want: []string{`branding.logo: "/etc/passwd" must be a file of the theme's static/ directory`}},
	})
}

func TestBrandingSettings(t *testing.T) {
	tests := []struct {
		name, yaml          string
		logo, support, site string
	}{
		{name: "logo path", yaml: "issuer: https://id.example.com\nbranding: {logo: img/logo.svg, support_url: https://example.com/help}\n",
			logo: "/static/img/logo.svg", support: "https://example.com/help", site: "id.example.com"},
		{name: "an IP issuer shows the host name instead", yaml: "issuer: http://127.0.0.1:8080\nallow_insecure_issuer: true\nhostnames: [\"10.0.0.1:8080\", \"id.example.com:8080\"]\n",
			site: "id.example.com"},
		{name: "an IP issuer alone stays", yaml: "issuer: http://127.0.0.1:8080\nallow_insecure_issuer: true\n", site: "127.0.0.1"},
		{name: "site_name wins", yaml: "issuer: http://127.0.0.1:8080\nallow_insecure_issuer: true\nhostnames: [id.example.com]\nsite_name: Example ID\n",
			site: "Example ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, err := loadYAML(t, tt.yaml, kekEnv)
			if err != nil {
				t.Fatal(err)
			}
			h := s.Hosts[0]
			if h.Logo != tt.logo || h.SupportURL != tt.support || h.SiteName != tt.site {
				t.Errorf("logo %q, support %q, site %q; want %q, %q, %q", h.Logo, h.SupportURL, h.SiteName, tt.logo, tt.support, tt.site)
			}
		})
	}
}
