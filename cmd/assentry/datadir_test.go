package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// relocate writes the configuration to file (creating its directory) with data_dir set to dataDir as written,
// and uses that file from now on; e.dataDir is where dataDir lies, taken from the file's directory.
func (e *cliEnv) relocate(file, dataDir string) {
	e.t.Helper()
	cfg, err := os.ReadFile(e.config)
	if err != nil {
		e.t.Fatal(err)
	}
	out := strings.Replace(string(cfg), "data_dir: "+e.dataDir, "data_dir: "+dataDir, 1)
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
		e.t.Fatal(err)
	}
	e.config, e.dataDir = file, filepath.Join(filepath.Dir(file), dataDir)
}

// mkdirs makes a fresh directory under e.dir.
func (e *cliEnv) mkdirs(name string) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.MkdirAll(p, 0o700); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func mustNotExist(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s exists (%v): nothing should have been created", p, err)
		}
	}
}

// TestRelativePathsFromConfigDir: a configuration whose data_dir, theme and Lua plugin are relative paths works
// the same from any working directory, as under a service manager: a management command run elsewhere finds the
// users, and the server started elsewhere loads the theme and the plugin beside the file.
func TestRelativePathsFromConfigDir(t *testing.T) {
	e := newCLIEnv(t)
	e.relocate(filepath.Join(e.dir, "etc", "assentry.yaml"), "data")
	makeStore(t, e.dataDir)
	e.mkdirs("etc/theme/static")
	writeFile(t, filepath.Join(e.dir, "etc", "theme", "static"), "brand.txt", "the relative theme")
	writeFile(t, filepath.Join(e.dir, "etc"), "claims.lua", `return {abi = 1, claims = function(req) return {claims = {}} end}`)
	e.appendConfig("theme: theme\npolicies:\n  - name: extra-claims\n    lua: ./claims.lua\n")
	e.wd = e.mkdirs("elsewhere")

	e.ok("violet harbour lantern\n", "user", "add", "alice", "--password-stdin")
	if got := listUsers(t, e); len(got) != 1 || got["alice"].Username != "alice" {
		t.Fatalf("user list from another directory: %v, want [alice]", got)
	}
	mustNotExist(t, filepath.Join(e.wd, "data"))
	if !holdsStore(e.dataDir) {
		t.Fatalf("no store in %s, beside the configuration", e.dataDir)
	}

	e.wd = e.mkdirs("yet-another")
	srv := e.startServer()
	defer srv.stop()
	res, err := http.Get("http://" + e.addr + "/static/brand.txt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != "the relative theme" {
		t.Fatalf("the theme's static file: %d %q", res.StatusCode, body)
	}
	if got := listUsers(t, e); len(got) != 1 || got["alice"].Username != "alice" {
		t.Fatalf("user list through the running server: %v, want [alice]", got)
	}
}

// storeCommand is a command that needs the store, and what it must say when there is none.
type storeCommand struct {
	name string
	args []string
	want string
}

// storeCommands are the commands that open the store and must never create one: user list and user add say
// listWants and addWants, the other management commands that nothing was created, migrate and backup that they
// have nothing to do.
func storeCommands(e *cliEnv, listWants, addWants string) []storeCommand {
	return []storeCommand{
		{name: "user list", args: []string{"user", "list"}, want: listWants},
		{name: "user add", args: []string{"user", "add", "bob", "--password-stdin"}, want: addWants},
		{name: "client list", args: []string{"client", "list"}, want: "nothing was created"},
		{name: "admin-token list", args: []string{"admin-token", "list"}, want: "nothing was created"},
		{name: "grant list", args: []string{"grant", "list", "bob"}, want: "nothing was created"},
		{name: "keys list", args: []string{"keys", "list"}, want: "nothing was created"},
		{name: "migrate", args: []string{"migrate"}, want: "nothing to migrate"},
		{name: "backup", args: []string{"backup", filepath.Join(e.dir, "b.backup")}, want: "nothing to back up"},
	}
}

// TestDataDirNotCreated: a management command on a data directory that does not exist fails, naming the path
// and how it was derived, and creates nothing; migrate and backup say they have nothing to do; serve creates it.
func TestDataDirNotCreated(t *testing.T) {
	e := newCLIEnv(t)
	e.relocate(filepath.Join(e.dir, "etc", "assentry.yaml"), "missing")
	e.wd = e.mkdirs("elsewhere")
	derivation := `data_dir "missing" in ` + e.config + ", relative to that file's directory"
	for _, tt := range storeCommands(e, "Is this the server's configuration?", "start `assentry serve` once") {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run("violet harbour lantern\n", tt.args...)
			if r.code != 1 || !strings.Contains(r.stderr, "no data directory at "+e.dataDir+" (from "+derivation+")") ||
				!strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 1, the path, %q and %q", r.code, r.stderr, derivation, tt.want)
			}
		})
	}
	mustNotExist(t, e.dataDir, filepath.Join(e.wd, "missing"), filepath.Join(e.dir, "b.backup"))

	// Without a configuration file, the default ./data of the working directory.
	cmd := exec.Command(binary, "user", "list")
	cmd.Dir, cmd.Env = e.wd, childEnvWithout("ASSENTRY_CONFIG", "ASSENTRY_DATA_DIR")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	want := `no data directory at ` + filepath.Join(e.wd, "data") + ` (from the default "./data", relative to the ` +
		`working directory ` + e.wd + ` (no configuration file))`
	if err == nil || !strings.Contains(stderr.String(), want) {
		t.Fatalf("user list without a file: %v, %q; want %q", err, stderr.String(), want)
	}
	mustNotExist(t, filepath.Join(e.wd, "data"))

	srv := e.startServer()
	defer srv.stop()
	if fi, err := os.Stat(e.dataDir); err != nil || !fi.IsDir() {
		t.Fatalf("serve did not create %s: %v", e.dataDir, err)
	}
}

// childEnvWithout is childEnv less the named variables.
func childEnvWithout(names ...string) []string {
	var env []string
	for _, kv := range childEnv {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			env = append(env, kv)
		}
	}
	return env
}

// TestDataDirMoved: a relative data_dir that an older release took from the working directory, where the store
// is, while the file's directory holds none: serve and the management commands refuse, naming both paths and the
// fix, and create nothing; once the directory is moved, the users are there.
func TestDataDirMoved(t *testing.T) {
	e := newCLIEnv(t)
	e.ok("violet harbour lantern\n", "user", "add", "alice", "--password-stdin") // the store, in e.dir/data
	old := e.dataDir
	e.relocate(filepath.Join(e.dir, "etc", "assentry.yaml"), "data")
	e.wd = e.dir // where the operator ran the old release from

	want := []string{"refusing to open " + e.dataDir, `data_dir "data" in ` + e.config, "it holds no store, but " + old +
		" does", "Move " + old + " to " + e.dataDir, "set data_dir to the absolute path " + old}
	check := func(name string, r result) {
		t.Helper()
		if r.code != 1 {
			t.Errorf("%s: exit %d, want 1\nstderr: %s", name, r.code, r.stderr)
		}
		for _, w := range want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr %q does not say %q", name, r.stderr, w)
			}
		}
	}
	check("user list", e.run("", "user", "list"))
	check("migrate", e.run("", "migrate"))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // a server that starts would never end
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "--config", e.config, "serve")
	cmd.Dir, cmd.Env = e.wd, childEnv
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ctx.Err() != nil {
		t.Fatalf("serve: %v (the server started?)\n%s", err, stderr.String())
	}
	check("serve", result{stderr: stderr.String(), code: ee.ExitCode()})
	mustNotExist(t, e.dataDir)

	if err := os.Rename(old, e.dataDir); err != nil {
		t.Fatal(err)
	}
	if got := listUsers(t, e); len(got) != 1 || got["alice"].Username != "alice" {
		t.Fatalf("user list after moving the directory: %v, want [alice]", got)
	}
}

// dirEntries lists the names in dir ("" for none).
func dirEntries(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

// TestEmptyDataDir: a management command on a data directory that exists but holds no store (an installation's
// empty StateDirectory=, or the wrong directory) refuses, naming the path, how it was derived and that only serve
// creates a store, and leaves the directory empty; serve then creates the store, after which the commands work.
func TestEmptyDataDir(t *testing.T) {
	e := newCLIEnv(t)
	e.relocate(filepath.Join(e.dir, "etc", "assentry.yaml"), "empty")
	e.mkdirs("etc/empty")
	derivation := `data_dir "empty" in ` + e.config + ", relative to that file's directory"
	for _, tt := range storeCommands(e, "Only `assentry serve` creates a store", "nothing was created") {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run("violet harbour lantern\n", tt.args...)
			if want := "no store in " + e.dataDir + " (from " + derivation + "): the directory exists but holds no " +
				"Badger store (no MANIFEST)"; r.code != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 1, %q and %q", r.code, r.stderr, want, tt.want)
			}
			if got := dirEntries(t, e.dataDir); got != "" {
				t.Fatalf("%s holds %s: nothing should have been created", e.dataDir, got)
			}
		})
	}
	mustNotExist(t, filepath.Join(e.dir, "b.backup"))

	srv := e.startServer()
	srv.stop()
	e.ok("violet harbour lantern\n", "user", "add", "bob", "--password-stdin")
	if out := e.ok("", "user", "list"); !strings.Contains(out, "bob") {
		t.Fatalf("user list after serve created the store:\n%s", out)
	}
}

// TestServeCreatesNothingOnBadConfig: serve on a fresh data directory whose configuration names a plugin file that
// does not exist (what config check reports) refuses to start with config check's line and creates nothing: no
// data directory, and in an existing empty one no store and no compilation cache.
func TestServeCreatesNothingOnBadConfig(t *testing.T) {
	e := newCLIEnv(t)
	e.relocate(filepath.Join(e.dir, "etc", "assentry.yaml"), "fresh")
	e.appendConfig("policies:\n  - name: rule\n    lua: missing.lua\n")
	check := e.run("", "config", "check")
	if check.code != 2 || !strings.Contains(check.stderr, "missing.lua") {
		t.Fatalf("config check: exit %d, %s", check.code, check.stderr)
	}
	var problem string
	for _, line := range strings.Split(check.stderr, "\n") {
		if strings.Contains(line, "missing.lua") {
			problem = line
		}
	}
	serve := func() result {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // a server that starts would never end
		defer cancel()
		cmd := exec.CommandContext(ctx, binary, "--config", e.config, "serve")
		cmd.Env, cmd.Dir = append(append([]string(nil), childEnv...), e.env...), e.wd
		return runCmd(t, cmd)
	}
	for _, empty := range []bool{false, true} {
		if empty {
			e.mkdirs("etc/fresh")
		}
		r := serve()
		if r.code != 1 || !strings.Contains(r.stderr, "refusing to start; nothing was created in "+e.dataDir) ||
			!strings.Contains(r.stderr, problem) {
			t.Fatalf("serve (data directory exists: %v): exit %d, stderr %s; want 1 and %q", empty, r.code, r.stderr, problem)
		}
		if !empty {
			mustNotExist(t, e.dataDir)
		} else if got := dirEntries(t, e.dataDir); got != "" {
			t.Fatalf("serve left %s in %s", got, e.dataDir)
		}
	}
}
