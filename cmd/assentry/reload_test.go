package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// reloadEnv is a server whose configuration file the test rewrites: the server-wide keys, then a `hosts` list.
type reloadEnv struct {
	*cliEnv
	srv *runningServer
}

const secondSecret = "second-app-secret"

// secondHost is a second host, on another host name of the same listener, with a static client of its own.
func secondHost(extra string) string {
	sum := sha256.Sum256([]byte(secondSecret))
	return fmt.Sprintf(`  - id: second
    issuer: https://second.example
    clients:
      - client_id: second-app
        client_name: Second App
        client_secret_sha256: %s
        grant_types: [client_credentials]
%s`, hex.EncodeToString(sum[:]), extra)
}

// write replaces the configuration: the server-wide keys, the first host with hostKeys, then more hosts.
func (e *reloadEnv) write(hostKeys string, more ...string) {
	e.t.Helper()
	cfg := fmt.Sprintf(`listen: %s
data_dir: %s
grant_types: [authorization_code, refresh_token, client_credentials]
argon2: {memory: 64, iterations: 1, parallelism: 1}
hosts:
  - id: default
    issuer: http://%s
%s`, e.addr, e.dataDir, e.addr, hostKeys) + strings.Join(more, "")
	// Written aside and renamed over, as deployment tools do: the server never reads half a file.
	tmp := e.config + ".new"
	if err := os.WriteFile(tmp, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Rename(tmp, e.config); err != nil {
		e.t.Fatal(err)
	}
}

func newReloadEnv(t *testing.T) *reloadEnv {
	e := &reloadEnv{cliEnv: newCLIEnv(t)}
	e.write("")
	return e
}

// served is an HTTP answer, redirects not followed.
type served struct {
	status   int
	location string
	body     string
}

var noRedirects = &http.Client{Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// get asks the listener for path with the given Host header.
func (e *reloadEnv) get(host, path string) served {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+e.addr+path, nil)
	req.Host = host
	res, err := noRedirects.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return served{res.StatusCode, res.Header.Get("Location"), string(b)}
}

// clientCredentials asks the listener for a token with the given Host header and client; it returns the status
// and the token served's expires_in.
func clientCredentials(addr, host, id, secret string) (int, float64, error) {
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/oauth2/token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Host = host
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	res, err := noRedirects.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	var body struct {
		ExpiresIn float64 `json:"expires_in"`
	}
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body.ExpiresIn, nil
}

// issuerOf reads the issuer of a discovery document ("" when the served is not one).
func issuerOf(a served) string {
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if a.status != http.StatusOK || json.Unmarshal([]byte(a.body), &doc) != nil {
		return ""
	}
	return doc.Issuer
}

// until polls cond until it holds, failing after a generous deadline.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReloadAddsAndRemovesHosts: a host added to the file is served after SIGHUP, with the static client the file
// declares for it; removed again, `assentry reload` says so and its name is answered as any unknown name.
func TestReloadAddsAndRemovesHosts(t *testing.T) {
	e := newReloadEnv(t)
	e.srv = e.startServer()
	defer e.srv.stop()
	const wellKnown = "/.well-known/openid-configuration"
	unknown := e.get("unknown.example", wellKnown)
	if unknown.status != http.StatusTemporaryRedirect {
		t.Fatalf("an unknown name with one host: %+v", unknown)
	}
	if a := e.get("second.example", wellKnown); a != unknown {
		t.Fatalf("second.example before it is configured: %+v, want %+v", a, unknown)
	}
	if s, _, err := clientCredentials(e.addr, "second.example", "second-app", secondSecret); err != nil || s == http.StatusOK {
		t.Fatalf("a token from a host not yet configured: %d %v", s, err)
	}

	e.write("", secondHost(""))
	if err := e.srv.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	until(t, "second.example is served", func() bool {
		return issuerOf(e.get("second.example", wellKnown)) == "https://second.example"
	})
	if got := issuerOf(e.get(e.addr, wellKnown)); got != "http://"+e.addr {
		t.Fatalf("the first host after the reload: issuer %q", got)
	}
	if s, _, err := clientCredentials(e.addr, "second.example", "second-app", secondSecret); err != nil || s != http.StatusOK {
		t.Fatalf("the new host's static client: %d %v", s, err)
	}
	if log := e.srv.log.String(); !strings.Contains(log, `"msg":"configuration reloaded","trigger":"SIGHUP"`) ||
		!strings.Contains(log, `"added":["second"]`) {
		t.Fatalf("the reload is not logged:\n%s", log)
	}

	e.write("")
	out := e.ok("", "reload")
	if !strings.Contains(out, "hosts removed: second") || !strings.Contains(out, "hosts unchanged: default") {
		t.Fatalf("assentry reload printed:\n%s", out)
	}
	// `assentry reload` returns once the new hosts serve: no polling needed.
	if a := e.get("second.example", wellKnown); a != unknown {
		t.Fatalf("second.example once removed: %+v, want the unknown name's %+v", a, unknown)
	}
	if s, _, err := clientCredentials(e.addr, "second.example", "second-app", secondSecret); err != nil || s == http.StatusOK {
		t.Fatalf("a token from a removed host: %d %v", s, err)
	}
}

// TestReloadRefusesBadFiles: a file with problems, a valid file whose hosts cannot be built (a plugin that does
// not load, a theme whose template does not parse) and a file that is not YAML change nothing: `assentry reload`
// lists every problem and exits 2, the log has each, and the running configuration is still the one served.
func TestReloadRefusesBadFiles(t *testing.T) {
	e := newReloadEnv(t)
	e.srv = e.startServer()
	defer e.srv.stop()
	const wellKnown = "/.well-known/openid-configuration"
	unknown := e.get("second.example", wellKnown)

	// Two problems the configuration package finds, reported together.
	e.write("    acess_token_ttl: 1h\n    id_token_signing_alg: HS1024\n", secondHost(""))
	r := e.run("", "reload")
	for _, want := range []string{"not reloaded", "acess_token_ttl", "id_token_signing_alg"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("reload of a bad file: stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.code != 2 {
		t.Fatalf("reload of a bad file: exit %d, want 2\n%s", r.code, r.stderr)
	}

	// A valid file whose hosts fail to build: both failures are reported, not only the first.
	broken := writeFile(t, e.dir, "broken.lua", "return {abi = 1, claims = function(")
	theme := filepath.Join(e.dir, "theme")
	if err := os.MkdirAll(theme, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, theme, "login.html", "{{ .Unclosed ")
	e.write(fmt.Sprintf("    theme: %s\n", theme), secondHost(fmt.Sprintf("    policies:\n      - name: broken\n        lua: %s\n", broken)))
	r = e.run("", "reload")
	for _, want := range []string{"not reloaded", "host default: theme", "host second: policy broken"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("reload of unbuildable hosts: stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.code != 2 {
		t.Fatalf("reload of unbuildable hosts: exit %d, want 2\n%s", r.code, r.stderr)
	}

	// Not even YAML: `assentry reload` cannot find the server's data_dir in it and says so; SIGHUP has the server
	// refuse it and log why.
	if err := os.WriteFile(e.config, []byte("hosts: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r = e.run("", "reload"); r.code != 2 || !strings.Contains(r.stderr, "was not asked to reload") {
		t.Fatalf("reload of a file that is not YAML: exit %d\n%s", r.code, r.stderr)
	}
	if err := e.srv.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	until(t, "the refused SIGHUP reload is logged", func() bool {
		return strings.Contains(e.srv.log.String(), `"msg":"configuration not reloaded; the running one is kept","trigger":"SIGHUP"`)
	})
	log := e.srv.log.String()
	for _, want := range []string{"acess_token_ttl", "id_token_signing_alg", "host default: theme",
		"host second: policy broken", "did not find expected node content"} {
		if !strings.Contains(log, `"msg":"configuration problem"`) || !strings.Contains(log, want) {
			t.Errorf("the log lacks the problem %q", want)
		}
	}
	// Still the running configuration: one host, the embedded theme, second.example unknown.
	if got := issuerOf(e.get(e.addr, wellKnown)); got != "http://"+e.addr {
		t.Fatalf("the running host after refused reloads: issuer %q", got)
	}
	if a := e.get(e.addr, "/login"); a.status != http.StatusOK || !strings.Contains(a.body, "csrf_token") {
		t.Fatalf("the login page after refused reloads: %d\n%s", a.status, a.body)
	}
	if a := e.get("second.example", wellKnown); a != unknown {
		t.Fatalf("second.example after refused reloads: %+v, want %+v", a, unknown)
	}
}

// TestReloadUnderLoad: 20 reloads in a row, each changing the host's settings, while clients ask for tokens
// without pause: not one request fails, and the last settings are those in force.
func TestReloadUnderLoad(t *testing.T) {
	e := newReloadEnv(t)
	e.srv = e.startServer()
	defer e.srv.stop()
	id, secret := e.addServiceClient("load")

	var ok, failed atomic.Int64
	var firstFailure atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s, _, err := clientCredentials(e.addr, e.addr, id, secret)
				if err != nil || s != http.StatusOK {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, fmt.Sprintf("status %d, err %v", s, err))
					continue
				}
				ok.Add(1)
			}
		}()
	}
	const reloads = 20
	ttl := 0
	for i := range reloads {
		ttl = 30 + i // minutes: each reload changes the host
		e.write(fmt.Sprintf("    access_token_ttl: %dm\n", ttl))
		before := ok.Load()
		if out := e.ok("", "reload"); !strings.Contains(out, "hosts updated: default") {
			t.Fatalf("reload %d printed:\n%s", i, out)
		}
		// At least one request completes between two reloads, so every swap happens under traffic.
		until(t, "a request completes after the reload", func() bool { return ok.Load() > before })
	}
	close(stop)
	wg.Wait()
	t.Logf("%d reloads, %d token requests served, %d failed", reloads, ok.Load(), failed.Load())
	if n := failed.Load(); n != 0 {
		t.Fatalf("%d of %d token requests failed across %d reloads; first: %v", n, n+ok.Load(), reloads,
			firstFailure.Load())
	}
	if _, exp, err := clientCredentials(e.addr, e.addr, id, secret); err != nil || exp != float64(ttl*60) {
		t.Fatalf("expires_in after the last reload: %v (%v), want %d", exp, err, ttl*60)
	}
	if strings.Contains(e.srv.log.String(), `"level":"ERROR"`) {
		t.Fatalf("errors logged across the reloads:\n%s", e.srv.log)
	}
}

// TestReloadAudited: every reload is an admin.action of op server.reload with who asked (uid:N over the admin
// socket, signal for SIGHUP) and its outcome, a refused file included; a static client the new file no longer
// declares is deleted at the reload and leaves a client.revoked line (reason undeclared).
func TestReloadAudited(t *testing.T) {
	e := newReloadEnv(t)
	path := filepath.Join(e.dir, "audit.log")
	sum := sha256.Sum256([]byte(secondSecret))
	audit := "    audit: {file: " + path + "}\n"
	static := fmt.Sprintf(`    clients:
      - client_id: gone-app
        client_name: Gone App
        client_secret_sha256: %s
        grant_types: [client_credentials]
`, hex.EncodeToString(sum[:]))
	e.write(audit + static)
	e.srv = e.startServer()
	defer e.srv.stop()
	uid := "uid:" + strconv.Itoa(os.Getuid())
	reloaded := func(actor, outcome string) map[string]string {
		return map[string]string{"event": "admin.action", "op": "server.reload", "host": "default", "actor": actor,
			"outcome": outcome}
	}
	revoked := map[string]string{"event": "client.revoked", "client_id": "gone-app", "reason": "undeclared",
		"client_kind": "confidential", "host": "default"}

	e.ok("", "reload")
	if lines := readAuditFile(t, path); !hasLine(lines, reloaded(uid, "ok")) || hasLine(lines, revoked) {
		t.Fatalf("after a reload of the same file: %v", lines)
	}
	// The client goes with a reload asked for by SIGHUP.
	e.write(audit)
	if err := e.srv.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	until(t, "the SIGHUP reload is audited", func() bool { return hasLine(readAuditFile(t, path), reloaded("signal", "ok")) })
	if s, _, err := clientCredentials(e.addr, e.addr, "gone-app", secondSecret); err != nil || s == http.StatusOK {
		t.Fatalf("a token for the removed client: %d %v", s, err)
	}
	if lines := readAuditFile(t, path); !hasLine(lines, revoked) {
		t.Fatalf("no client.revoked line for the client the file dropped: %v", lines)
	}
	// A refused file: audited as failed, on the configuration kept.
	e.write(audit + "    acess_token_ttl: 1h\n")
	if r := e.run("", "reload"); r.code != 2 {
		t.Fatalf("reload of a bad file: exit %d %s", r.code, r.stderr)
	}
	want := reloaded(uid, "failed")
	want["reason"] = "invalid"
	if lines := readAuditFile(t, path); !hasLine(lines, want) {
		t.Fatalf("no audit line for the refused reload: %v", lines)
	}
}
