package oauthbearer

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies: the package stays cheap to import for servers that are not Assentry (doc.go): the standard
// library and golang-jwt, nothing of this module.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{"github.com/assentry/assentry/oauthbearer": true, "github.com/golang-jwt/jwt/v5": true}
	for _, p := range strings.Fields(string(out)) {
		if !allowed[p] {
			t.Errorf("oauthbearer depends on %s", p)
		}
	}
}
