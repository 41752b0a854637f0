package config

import (
	"testing"
	"time"
)

func TestHSTSRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "left out", yaml: "{}\n"},
		{name: "empty section", yaml: "hsts: {}\n"},
		{name: "off", yaml: "hsts: {max_age: 0}\n"},
		{name: "two years", yaml: "hsts: {max_age: 63072000}\n"},
		{name: "negative", yaml: "hsts: {max_age: -1}\n", want: []string{"hsts.max_age: must not be negative"}},
		{name: "too large", yaml: "hsts: {max_age: 2147483648}\n", want: []string{"hsts.max_age: must be at most 2147483647 seconds"}},
		{name: "a duration is not seconds", yaml: "hsts: {max_age: 1h}\n", want: []string{"hsts.max_age"}},
		{name: "negative in a host", yaml: "hosts: [{id: a, issuer: \"https://a.example.com\", hsts: {max_age: -5}}]\n",
			want: []string{"hosts[0].hsts.max_age: must not be negative"}},
	})
}

func TestHSTSValues(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  []string
		want []time.Duration // per host
	}{
		{name: "default: one year", yaml: "issuer: https://a.example.com\n", want: []time.Duration{365 * 24 * time.Hour}},
		{name: "configured", yaml: "hsts: {max_age: 600}\n", want: []time.Duration{600 * time.Second}},
		{name: "0 switches it off", yaml: "hsts: {max_age: 0}\n", want: []time.Duration{0}},
		{name: "environment switches it off", yaml: "{}\n", env: []string{"ASSENTRY_HSTS__MAX_AGE=0"}, want: []time.Duration{0}},
		{name: "inherited, and 0 in a host wins over the top level", yaml: `
hsts: {max_age: 600}
hosts:
  - {id: a, issuer: "https://a.example.com"}
  - {id: b, issuer: "https://b.example.com", hsts: {max_age: 0}}
`, want: []time.Duration{600 * time.Second, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, err := loadYAML(t, tt.yaml, append([]string{kekEnv}, tt.env...)...)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Hosts) != len(tt.want) {
				t.Fatalf("%d hosts, want %d", len(s.Hosts), len(tt.want))
			}
			for i, h := range s.Hosts {
				if h.HSTSMaxAge != tt.want[i] {
					t.Errorf("host %s: HSTSMaxAge %v, want %v", h.ID, h.HSTSMaxAge, tt.want[i])
				}
			}
		})
	}
}
