package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/config"
)

// repoRoot is the repository's root, seen from this package's directory (where go test runs its tests).
const repoRoot = "../.."

// exampleSecrets are what an operator puts in the environment for the example configurations, as their comments
// say: a throwaway key_encryption_key (32 bytes, base64), a registration key, and the static webmail client's secret.
var exampleSecrets = []string{
	"ASSENTRY_KEY_ENCRYPTION_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	"ASSENTRY_REGISTRATION__KEY=an-example-registration-key-of-32-bytes-or-more",
	"WEBMAIL_CLIENT_SECRET=an-example-webmail-secret",
}

// exampleListen is the listen line every example configuration has: it is rewritten to a free port.
var exampleListen = regexp.MustCompile(`(?m)^listen: 127\.0\.0\.1:8080$`)

// examplePaths are the absolute system paths the example configurations name, each moved under the scratch
// directory: the only other rewriting besides the listen address. The directories the operator (or systemd's
// RuntimeDirectory, LogsDirectory) makes are made; the data directory is left for the server to create.
var examplePaths = []struct {
	path  string
	mkdir bool
}{
	{"/var/lib/assentry", false}, // data_dir
	{"/var/log/assentry", true},  // audit.file
	{"/run/assentry", true},      // admin_socket
	{"/etc/assentry", true},      // policy files, installed by installPolicies
}

// installPolicies copies the policy files the source tree ships (examples/policies and the plugins of plugins/)
// to where the example configurations expect them, /etc/assentry/policies, as an operator installs them.
func installPolicies(t *testing.T, dir string) {
	t.Helper()
	var files []string
	for _, pattern := range []string{"examples/policies/*.lua", "examples/policies/*/*.wasm", "plugins/*/*.lua", "plugins/*/*.wasm"} {
		m, err := filepath.Glob(filepath.Join(repoRoot, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// scratchConfig writes the example at path into a scratch directory with the listen address and the system paths
// rewritten (exampleListen, examplePaths), and returns the environment that serves it.
func scratchConfig(t *testing.T, path string) *cliEnv {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if !exampleListen.MatchString(text) {
		t.Fatalf("%s: no %q line to move to a free port", path, "listen: 127.0.0.1:8080")
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	text = exampleListen.ReplaceAllString(text, "listen: "+addr)
	for _, p := range examplePaths {
		moved := filepath.Join(dir, p.path)
		mk := filepath.Dir(moved)
		if p.mkdir {
			mk = moved
		}
		if err := os.MkdirAll(mk, 0o755); err != nil {
			t.Fatal(err)
		}
		text = strings.ReplaceAll(text, p.path, moved)
	}
	installPolicies(t, filepath.Join(dir, "etc/assentry/policies"))
	e := &cliEnv{t: t, dir: dir, config: filepath.Join(dir, filepath.Base(path)), dataDir: filepath.Join(dir, "var/lib/assentry"),
		addr: addr, env: exampleSecrets}
	if err := os.WriteFile(e.config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// exampleConfigs are the configuration files under examples/.
func exampleConfigs(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"examples/config/*.yaml", "examples/deploy/*.yaml"} {
		m, err := filepath.Glob(filepath.Join(repoRoot, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 3 {
		t.Fatalf("found only %v under examples/", files)
	}
	return files
}

// TestExampleConfigsServe starts the real server on every example configuration, changed only by the rewriting
// of scratchConfig, and fetches every host's discovery document through its issuer's host name, as the reverse
// proxy in front would send it. An example that names a file the source tree does not ship, or that the server
// refuses or warns about, fails here.
func TestExampleConfigsServe(t *testing.T) {
	for _, path := range exampleConfigs(t) {
		name, _ := filepath.Rel(repoRoot, path)
		t.Run(name, func(t *testing.T) {
			e := scratchConfig(t, path)
			srv := e.startServer()
			waitReady(t, "http://"+e.addr, srv)
			if warn := warnings(srv.log.String()); warn != "" {
				t.Errorf("the server warns at start:\n%s", warn)
			}
			s, _, err := config.Load(e.config, exampleSecrets)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range s.Hosts {
				for _, name := range h.Hostnames { // the issuer's host name and the others it answers to
					checkDiscovery(t, e.addr, name, h.IssuerURL.Scheme, h.Issuer)
				}
			}
			srv.stop()
		})
	}
}

// waitReady polls /readyz until it answers 200, with a generous deadline that only a hung server reaches.
func waitReady(t *testing.T, base string, srv *runningServer) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := c.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/readyz: not ready (last: %v)\n%s", base, err, srv.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// warnings returns the WARN and ERROR lines of a server log.
func warnings(log string) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, `"level":"WARN"`) || strings.Contains(l, `"level":"ERROR"`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// checkDiscovery fetches the OpenID discovery document from the server at addr for the host name host, with the
// Host and X-Forwarded-Proto that the reverse proxy in front sends, and checks that it names the issuer iss.
func checkDiscovery(t *testing.T, addr, host, scheme, iss string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/.well-known/openid-configuration", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("X-Forwarded-Proto", scheme)
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("discovery at %s: %d %v", host, res.StatusCode, err)
	}
	if doc.Issuer != iss || !strings.HasPrefix(doc.JWKSURI, iss+"/") {
		t.Errorf("discovery at %s: issuer %q, jwks_uri %q; want the issuer %s", host, doc.Issuer, doc.JWKSURI, iss)
	}
}
