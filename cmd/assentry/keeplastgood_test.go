package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestKeepLastGoodServer runs the real server with a registration plugin. Started with a good file, it keeps
// that version in the data directory. With the file broken, a restart with on_load_error keep_last_good serves
// the last good version, logs at error that it is stale (with the load error), and /readyz is 503 naming the
// plugin; without the option the server refuses to start.
func TestKeepLastGoodServer(t *testing.T) {
	e := newCLIEnv(t)
	const good = `return {abi = 1, validate_registration = function(req)
  return {decision = "reject", error_description = "refused by the good version"}
end}`
	plugin := writeFile(t, e.dir, "gate.lua", good)
	base := string(mustRead(t, e.config))
	setConfig := func(onLoadError string) {
		t.Helper()
		cfg := base + "registration:\n  key: \"an-example-registration-key-of-32b\"\npolicies:\n  - name: gate\n    lua: " + plugin + "\n"
		if onLoadError != "" {
			cfg += "    on_load_error: " + onLoadError + "\n"
		}
		writeFile(t, e.dir, filepath.Base(e.config), cfg)
	}
	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get("http://" + e.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	register := func() string {
		t.Helper()
		res, err := http.Post("http://"+e.addr+"/oauth2/register", "application/json", strings.NewReader(
			`{"client_name":"Shop","client_uri":"https://shop.example.com/","redirect_uris":["https://shop.example.com/cb"]}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			Description string `json:"error_description"`
		}
		_ = json.NewDecoder(res.Body).Decode(&body)
		return body.Description
	}

	setConfig("keep_last_good")
	srv := e.startServer()
	if got := register(); got != "refused by the good version" {
		t.Fatalf("the good version answered %q\n%s", got, srv.log)
	}
	if code, body := get("/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz with a good plugin: %d %s", code, body)
	}
	srv.stop()
	if _, err := os.Stat(filepath.Join(e.dataDir, "policy-cache", "default", "gate", "last-good.json")); err != nil {
		t.Fatalf("the last good version was not kept: %v", err)
	}
	// config check loads the good file with the cache directory at hand, and keeps nothing itself.
	before := treeOf(t, e.dataDir)
	if r := e.run("", "config", "check"); r.code != 0 || !strings.Contains(r.stdout, "1 plugin loaded,") {
		t.Fatalf("config check with the good file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	sameTree(t, before, treeOf(t, e.dataDir))

	writeFile(t, e.dir, "gate.lua", "return {abi = 1, validate_registration = ") // broken
	srv = e.startServer()
	if got := register(); got != "refused by the good version" {
		t.Fatalf("with the file broken, the server answered %q, want the last good version's answer\n%s", got, srv.log)
	}
	code, body := get("/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "policy plugin gate is stale") {
		t.Fatalf("/readyz running a last good version: %d %q", code, body)
	}
	var staleLine string
	for _, l := range strings.Split(srv.log.String(), "\n") {
		if strings.Contains(l, "running its last good version") {
			staleLine = l
		}
	}
	for _, want := range []string{`"level":"ERROR"`, `"plugin":"gate"`, `"host":"default"`, "syntax error"} {
		if !strings.Contains(staleLine, want) {
			t.Errorf("the stale start's log line lacks %s: %q\n%s", want, staleLine, srv.log)
		}
	}
	if strings.Count(staleLine, `"host"`) != 1 {
		t.Errorf("the host is named %d times: %s", strings.Count(staleLine, `"host"`), staleLine)
	}
	srv.stop()

	// config check reads the kept version (and writes nothing): a warning, exit status 0, as serve starts.
	before = treeOf(t, e.dataDir)
	r := e.run("", "config", "check")
	if r.code != 0 || !regexp.MustCompile(`warning: policies: policy gate: the file is broken: .*syntax error.*; serve would `+
		`start on the last good version saved at \d{4}-\d\d-\d\dT[^ ]+ \(`+regexp.QuoteMeta(filepath.Join(e.dataDir,
		"policy-cache", "default", "gate", "last-good.json"))+`\)`).MatchString(r.stderr) ||
		!strings.Contains(r.stdout, "0 plugins loaded (and 1 on its last good version") {
		t.Fatalf("config check, broken file with keep_last_good and a kept version: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	sameTree(t, before, treeOf(t, e.dataDir))

	// Without the option: the server refuses to start, naming the plugin and the error.
	setConfig("")
	r = e.run("", "serve")
	if r.code == 0 || !strings.Contains(r.stderr, "policy gate") || !strings.Contains(r.stderr, "syntax error") {
		t.Fatalf("serve with a broken plugin and no keep_last_good: exit %d\n%s", r.code, r.stderr)
	}

	// With the option but no version kept, config check refuses as serve does.
	setConfig("keep_last_good")
	if err := os.RemoveAll(filepath.Join(e.dataDir, "policy-cache")); err != nil {
		t.Fatal(err)
	}
	if r := e.run("", "config", "check"); r.code != 2 || !strings.Contains(r.stderr, "no last good version: none was kept") {
		t.Fatalf("config check, broken file with keep_last_good and nothing kept: exit %d\n%s", r.code, r.stderr)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
