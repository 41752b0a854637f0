package main

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigCheckStaticClients: the static clients are checked as serve stores them, so a configuration that
// config check accepts is one serve accepts. Each bad client is reported with its id; serve refuses the same file.
func TestConfigCheckStaticClients(t *testing.T) {
	dir := configDir(t)
	sum := sha256.Sum256([]byte("s3cret"))
	digest := hex.EncodeToString(sum[:])
	cfg := writeFile(t, dir, "assentry.yaml", `issuer: http://127.0.0.1:1
data_dir: `+filepath.Join(dir, "data")+`
clients:
  - client_id: nameless
    client_secret_sha256: `+digest+`
    grant_types: [client_credentials]
  - client_id: no-name-either
    client_name: "  "
    client_secret_sha256: `+digest+`
    grant_types: [client_credentials]
  - client_id: good
    client_name: Good
    client_secret_sha256: `+digest+`
    grant_types: [client_credentials]
grant_types: [authorization_code, refresh_token, client_credentials]
`)
	before := treeOf(t, dir)
	r := configCLI(t, dir, cfg, nil, "config", "check")
	if r.code != 2 {
		t.Fatalf("config check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	mustSay(t, "config check", r.stderr, "clients: client nameless: client_name: required",
		"clients: client no-name-either: client_name: required", "2 problems")
	if strings.Contains(r.stderr, "client good") {
		t.Fatalf("a good client reported:\n%s", r.stderr)
	}
	if after := treeOf(t, dir); len(after) != len(before) {
		t.Fatalf("config check wrote files: %v", after)
	}
	s := configCLI(t, dir, cfg, nil, "serve")
	if s.code == 0 || !strings.Contains(s.stderr, "client nameless: client_name: required") {
		t.Fatalf("serve on the same file: exit %d\n%s", s.code, s.stderr)
	}
}
