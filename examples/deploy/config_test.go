package deploy_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/config"
)

// kek is a throwaway key_encryption_key, as assentry.env would set it.
const kek = "ASSENTRY_KEY_ENCRYPTION_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// TestExampleConfig loads the systemd example's assentry.yaml as the server would, and the Containerfile's
// environment without a file, and checks the settings the deployment relies on.
func TestExampleConfig(t *testing.T) {
	t.Run("assentry.yaml", func(t *testing.T) {
		s, warns, err := config.Load("assentry.yaml", []string{kek})
		if err != nil {
			t.Fatalf("assentry.yaml does not load:\n%v", err)
		}
		for _, w := range warns {
			t.Errorf("warning: %s", w)
		}
		got := []string{s.Listen, s.DataDir, s.AdminSocket, strings.Join(s.TrustedProxies, " "), s.Hosts[0].Issuer}
		want := []string{"127.0.0.1:8080", "/var/lib/assentry", "/run/assentry/admin.sock", "127.0.0.1 ::1", "https://auth.example.com"}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("got %q, want %q", got[i], want[i])
			}
		}
		unit := readExample(t, "assentry.service")
		for _, d := range []string{"StateDirectory=" + strings.TrimPrefix(s.DataDir, "/var/lib/"),
			"RuntimeDirectory=" + strings.TrimSuffix(strings.TrimPrefix(s.AdminSocket, "/run/"), "/admin.sock")} {
			if !strings.Contains(unit, "\n"+d+"\n") {
				t.Errorf("assentry.service has no %s to match assentry.yaml", d)
			}
		}
	})
	t.Run("Containerfile environment", func(t *testing.T) {
		env := containerEnv(t)
		s, _, err := config.Load("", append(env, kek, "ASSENTRY_ISSUER=https://auth.example.com"))
		if err != nil {
			t.Fatalf("the Containerfile's environment %v does not load:\n%v", env, err)
		}
		if s.Listen != "0.0.0.0:8080" || s.DataDir != "/var/lib/assentry" {
			t.Errorf("listen %s, data_dir %s", s.Listen, s.DataDir)
		}
	})
}

// containerEnv returns the Containerfile's ENV variables (KEY=VALUE form, continued lines joined).
func containerEnv(t *testing.T) []string {
	t.Helper()
	cf := strings.ReplaceAll(readExample(t, "Containerfile"), "\\\n", " ")
	var env []string
	for _, m := range regexp.MustCompile(`(?m)^ENV\s+(.+)$`).FindAllStringSubmatch(cf, -1) {
		for _, kv := range strings.Fields(m[1]) {
			if !strings.Contains(kv, "=") {
				t.Fatalf("ENV %q: write KEY=VALUE", kv)
			}
			env = append(env, kv)
		}
	}
	if len(env) == 0 {
		t.Fatal("the Containerfile sets no ASSENTRY_* variable")
	}
	return env
}
