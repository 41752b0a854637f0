package config

import (
	"path/filepath"
	"testing"
)

// TestExamples loads the example configurations shipped in examples/config, with the environment their
// comments ask for, so the examples stay true.
func TestExamples(t *testing.T) {
	env := []string{
		kekEnv,
		"ASSENTRY_REGISTRATION__KEY=an-example-registration-key-of-32-bytes-or-more",
		"WEBMAIL_CLIENT_SECRET=example-secret",
	}
	tests := []struct {
		name  string
		file  string
		hosts int
	}{
		{name: "single host", file: "assentry.yaml", hosts: 1},
		{name: "multi host", file: "multi-host.yaml", hosts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, warns, err := Load(filepath.Join("..", "..", "examples", "config", tt.file), env)
			if err != nil {
				t.Fatalf("%s does not validate:\n%v", tt.file, err)
			}
			for _, w := range warns {
				t.Errorf("warning: %s", w)
			}
			if len(s.Hosts) != tt.hosts {
				t.Errorf("%d hosts, want %d", len(s.Hosts), tt.hosts)
			}
			for _, h := range s.Hosts {
				if h.IssuerURL.Scheme != "https" || !h.Registration.Enabled || h.KeyEncryptionKeyBytes == nil {
					t.Errorf("host %s: issuer %s, registration %v, key encryption key set %v", h.ID, h.Issuer,
						h.Registration.Enabled, h.KeyEncryptionKeyBytes != nil)
				}
			}
		})
	}
}
