package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSources(t *testing.T) {
	path := filepath.Join(t.TempDir(), "assentry.yaml")
	doc := `theme: ./top
code_ttl: 30s
session_ttl: 1h
hosts:
  - id: a
    issuer: https://a.example.com
  - id: b
    issuer: https://b.example.com
    theme: ./b
`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	in := Inspect(path, []string{kekEnv, "ASSENTRY_CODE_TTL=45s", "ASSENTRY_SESSION_TTL="})
	if in.Err != nil {
		t.Fatal(in.Err)
	}
	s := in.Sources
	for _, tt := range []struct{ name, got, want string }{
		{"env wins over the file", s.Top("code_ttl"), "env:ASSENTRY_CODE_TTL"},
		{"an empty variable restores the default", s.Host(0, "session_ttl"), "default"},
		{"inherited", s.Host(0, "theme"), "inherited from file:1"},
		{"own", s.Host(1, "theme"), "file:9"},
		{"id is never inherited", s.Host(0, "id"), "file:5"},
		{"unset", s.Host(1, "site_name"), "default"},
		{"key of an inherited value", s.HostKey(0, "theme"), "theme"},
		{"key of an own value", s.HostKey(1, "theme"), "hosts[1].theme"},
		{"key of an unset value", s.HostKey(0, "audit.file"), "hosts[0].audit.file"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestInspectWithErrors: the settings are still returned when keys are wrong, for config check to look at the
// files they name.
func TestInspectWithErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "assentry.yaml")
	if err := os.WriteFile(path, []byte("theme: ./t\ncolour: blue\nkey_encryption_key: nope\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	in := Inspect(path, nil)
	matchLines(t, "error", problemLines(t, in.Err), []string{"colour: unknown key", "key_encryption_key: decodes to 3 bytes"})
	if in.Settings == nil || in.Settings.Hosts[0].Theme != filepath.Join(filepath.Dir(path), "t") {
		t.Fatalf("settings %+v, want them with the theme", in.Settings)
	}
	if _, _, err := Load(path, nil); err == nil {
		t.Fatal("Load accepted it")
	}
}
