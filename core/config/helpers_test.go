package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// loadYAML writes doc to a temporary file and loads it with env.
func loadYAML(t *testing.T, doc string, env ...string) (*Settings, []Warning, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "assentry.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(path, env)
}

// problemLines returns the lines of a load error (nil for no error); anything but *Errors fails the test.
func problemLines(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *Errors
	if !errors.As(err, &e) {
		t.Fatalf("error is %T, want *config.Errors: %v", err, err)
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return lines
}

func warningLines(ws []Warning) []string {
	lines := make([]string, len(ws))
	for i, w := range ws {
		lines[i] = w.String()
	}
	return lines
}

// matchLines checks that every want is a substring of a distinct line of got, and that got has nothing more.
func matchLines(t *testing.T, kind string, got, want []string) {
	t.Helper()
	rest := slices.Clone(got)
	for _, w := range want {
		i := slices.IndexFunc(rest, func(l string) bool { return strings.Contains(l, w) })
		if i < 0 {
			t.Errorf("no %s line contains %q; got:\n  %s", kind, w, strings.Join(got, "\n  "))
			continue
		}
		rest = slices.Delete(rest, i, i+1)
	}
	if len(rest) > 0 {
		t.Errorf("unexpected %s lines:\n  %s", kind, strings.Join(rest, "\n  "))
	}
}

// devKEK is a valid key_encryption_key, to keep the "running without key_encryption_key" warning out of
// tests that are not about it.
const devKEK = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// kekEnv sets devKEK through the environment.
const kekEnv = "ASSENTRY_KEY_ENCRYPTION_KEY=" + devKEK

// ruleTest is one case of the rule tables: a config file (and extra environment) and the error and warning
// lines it must produce, no more, no fewer. kekEnv is always in the environment unless noKEK is set.
type ruleTest struct {
	name  string
	yaml  string
	env   []string
	noKEK bool
	want  []string // a substring of each expected error line; empty: the config is valid
	warn  []string // a substring of each expected warning line
}

func runRules(t *testing.T, tests []ruleTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.env
			if !tt.noKEK {
				env = append([]string{kekEnv}, env...)
			}
			s, warns, err := loadYAML(t, tt.yaml, env...)
			matchLines(t, "error", problemLines(t, err), tt.want)
			matchLines(t, "warning", warningLines(warns), tt.warn)
			if (err == nil) != (s != nil) {
				t.Errorf("settings %v with error %v: want exactly one of them", s, err)
			}
		})
	}
}
