package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestQuotedCommands runs every shell command quoted in README.md, in docs/*.md and in the comments of the files
// under examples/, as written, in order: the README's and each doc's commands one "## " section at a time, each
// example file's on its own. An environment is a scratch directory with a fresh configuration (assentry.yaml, named by
// ASSENTRY_CONFIG: the issuer and listen address on a free loopback port, data_dir ./data, and the section's
// sectionConfig), the built binary first on PATH as `assentry` (`go run ./cmd/assentry` runs it too), and the
// repository's examples/, plugins/, themes/ and docs/ linked in, so that a command naming them works as from a
// checkout. `assentry serve`, with or without `&`, starts the environment's server in the background and waits
// for /readyz; an environment whose commands start none gets one before its first command. Every other command
// runs with `bash -o pipefail -c` and must exit 0.
//
// A command that cannot run here is listed in commandSkips (quoted_rules_test.go) with the reason; one that is
// neither skipped nor succeeds fails the test, so a new command is never left unchecked. A command that names the
// example's public issuer, or a token or id the reader would paste, runs with the scratch server's values
// (commandSubsts). A command whose comment
// says "-> A, B" binds A and B to the client_id and client_secret of its JSON output in the later commands.
//
// To debug a failing command: go test ./cmd/assentry -run 'TestQuotedCommands/<section>' -v prints every
// command as it ran, and a failure shows its stdout, stderr and the server's log; ASSENTRY_KEEP_SCRATCH=1 keeps
// the scratch directories (their paths are logged) to rerun a command by hand there, with ASSENTRY_CONFIG
// set to its assentry.yaml and a binary of your own as assentry.
func TestQuotedCommands(t *testing.T) {
	var envs []string
	byEnv := map[string][]quotedCommand{}
	for _, c := range append(append(readmeCommands(t), docsCommands(t)...), exampleCommands(t)...) {
		if _, ok := byEnv[c.env]; !ok {
			envs = append(envs, c.env)
		}
		byEnv[c.env] = append(byEnv[c.env], c)
	}
	if len(byEnv["First steps"]) == 0 {
		t.Fatalf("no command found in the README's First steps: is the extraction broken? found %v", envs)
	}
	used := make([]bool, len(commandSkips))
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			runEnvironment(t, env, byEnv[env], used)
		})
	}
	for i, s := range commandSkips {
		if !used[i] {
			t.Errorf("skip %q matches no quoted command any more: remove it", s.pattern)
		}
	}
}

// skipOf returns the index of the skip rule that matches c, or -1.
func skipOf(c quotedCommand) int {
	for i, s := range commandSkips {
		if s.pattern.MatchString(c.text) {
			return i
		}
	}
	return -1
}

var (
	serveCommand = regexp.MustCompile(`(^|\s)assentry serve(\s|$)`)
	goRun        = regexp.MustCompile(`(^|[\s|;&(])go run \./cmd/assentry `)
	binds        = regexp.MustCompile(`^->\s*(\w+),\s*(\w+)`)
)

// scratch is the environment the commands of one section or example file run in.
type scratch struct {
	t        *testing.T
	dir      string
	addr     string
	admin    string // the admin listener's address, where sectionConfig sets admin_listen: {admin}
	env      []string
	token    string            // the admin token of {token}, made on first use
	grant    string            // the grant id of {grant}, issued on first use
	vars     map[string]string // placeholders bound by "-> A, B"
	server   *runningServer
	hasServe bool
}

func newScratch(t *testing.T, section string) *scratch {
	t.Helper()
	dir := t.TempDir()
	if os.Getenv("ASSENTRY_KEEP_SCRATCH") != "" {
		var err error
		if dir, err = os.MkdirTemp("", "assentry-quoted-"); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("scratch directory %s", dir)
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(binary, filepath.Join(bin, "assentry")); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"examples", "plugins", "themes", "docs"} {
		abs, err := filepath.Abs(filepath.Join(repoRoot, d))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, filepath.Join(dir, d)); err != nil {
			t.Fatal(err)
		}
	}
	addr, admin := freeAddr(t), freeAddr(t)
	cfg := filepath.Join(dir, "assentry.yaml")
	text := fmt.Sprintf("issuer: http://%s\nlisten: %s\ndata_dir: ./data\n%s", addr, addr,
		strings.ReplaceAll(sectionConfig[section], "{admin}", admin))
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(append([]string(nil), childEnv...), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"ASSENTRY_CONFIG="+cfg)
	return &scratch{t: t, dir: dir, addr: addr, admin: admin, env: env, vars: map[string]string{}}
}

func runEnvironment(t *testing.T, section string, cmds []quotedCommand, used []bool) {
	s := newScratch(t, section)
	var run []quotedCommand
	for _, c := range cmds {
		if i := skipOf(c); i >= 0 {
			used[i] = true
			t.Logf("skipped %s (%s)", c, commandSkips[i].reason)
			continue
		}
		// Not s.mapped: that would make {token} and {grant} before the server has made the store.
		if serveCommand.MatchString(goRun.ReplaceAllString(c.text, "${1}assentry ")) {
			s.hasServe = true
		}
		run = append(run, c)
	}
	if len(run) == 0 {
		return
	}
	if !s.hasServe {
		s.startServer(quotedCommand{file: "(test)", env: section, text: "assentry serve"})
	}
	for _, c := range run {
		text := s.mapped(c.text)
		if serveCommand.MatchString(text) {
			s.startServer(c)
			continue
		}
		s.runCommand(c, text)
	}
	if s.server != nil {
		s.server.stop()
	}
}

// mapped is the command as it runs: `go run ./cmd/assentry` is the built binary, bound placeholders are
// replaced and commandAmends applied.
func (s *scratch) mapped(text string) string {
	text = goRun.ReplaceAllString(text, "${1}assentry ")
	for k, v := range s.vars {
		text = regexp.MustCompile(`\b`+regexp.QuoteMeta(k)+`\b`).ReplaceAllLiteralString(text, v)
	}
	for _, c := range commandSubsts {
		if c.pattern.MatchString(text) {
			for i := 0; i+1 < len(c.repl); i += 2 {
				text = strings.ReplaceAll(text, c.repl[i], c.repl[i+1])
			}
		}
	}
	text = strings.ReplaceAll(text, "{addr}", s.addr)
	text = strings.ReplaceAll(text, "{admin}", s.admin)
	if strings.Contains(text, "{token}") {
		text = strings.ReplaceAll(text, "{token}", s.adminToken())
	}
	if strings.Contains(text, "{grant}") {
		text = strings.ReplaceAll(text, "{grant}", s.aliceGrant())
	}
	for _, a := range commandAmends {
		if a.pattern.MatchString(text) {
			text += strings.ReplaceAll(a.args, "{addr}", s.addr)
		}
	}
	return text
}

// adminToken makes (once) an admin token of scope write for {token}.
func (s *scratch) adminToken() string {
	if s.token == "" {
		out := s.helper("assentry admin-token create --name quoted-commands --scope write")
		s.token = strings.TrimSpace(out)
		if !strings.HasPrefix(s.token, "asa_") {
			s.t.Fatalf("admin-token create printed %q, not a token", out)
		}
	}
	return s.token
}

// aliceGrant issues (once) a grant of alice, whom an earlier command made with the password "correct horse
// battery", through the password grant of a client added for it, and returns its id for {grant}.
func (s *scratch) aliceGrant() string {
	if s.grant != "" {
		return s.grant
	}
	t := s.t
	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	api := "http://" + s.admin + "/v1/hosts/default"
	bearer := s.adminToken()
	adminJSON(t, "POST", api+"/clients", bearer, map[string]any{"client_id": "quoted-app", "client_name": "Quoted App",
		"grant_types": []string{"password", "refresh_token"}}, 201, &app)
	cl := crashClient{base: "http://" + s.addr, id: app.ClientID, secret: app.ClientSecret, c: loopbackClient()}
	var tok tokens
	status, body, err := cl.post("/oauth2/token", url.Values{"grant_type": {"password"}, "username": {"alice"},
		"password": {"correct horse battery"}, "scope": {"openid"}}, &tok)
	if err != nil || status != 200 {
		t.Fatalf("password grant for {grant}: %d %s %v", status, body, err)
	}
	var grants []grantRow
	adminJSON(t, "GET", api+"/users/alice/grants", bearer, nil, 200, &grants)
	if len(grants) != 1 {
		t.Fatalf("alice's grants: %+v", grants)
	}
	s.grant = grants[0].ID
	return s.grant
}

// helper runs a command of the test's own (not a quoted one) in the scratch environment and returns its output.
func (s *scratch) helper(text string) string {
	s.t.Helper()
	cmd := exec.Command("bash", "-o", "pipefail", "-c", text)
	cmd.Dir, cmd.Env = s.dir, s.env
	out, err := cmd.Output()
	if err != nil {
		s.t.Fatalf("%s: %v\n%s", text, err, out)
	}
	return string(out)
}

// startServer runs a serve command in the background, waits for /readyz, and stops it when the test ends.
func (s *scratch) startServer(c quotedCommand) {
	t := s.t
	t.Helper()
	if s.server != nil {
		t.Fatalf("%s: a second server in one environment", c)
	}
	text := strings.TrimSuffix(strings.TrimSpace(s.mapped(c.text)), "&")
	t.Logf("running %s (in the background)", c)
	cmd := exec.Command("bash", "-c", "exec "+text)
	cmd.Dir, cmd.Env = s.dir, s.env
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logWriter{logs}, logWriter{logs}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	srv := &runningServer{t: t, cmd: cmd, done: make(chan error, 1), log: logs}
	go func() { srv.done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	s.server = srv
	waitReady(t, "http://"+s.addr, srv)
}

// logWriter adds what a process writes to a syncBuffer.
type logWriter struct{ b *syncBuffer }

func (w logWriter) Write(p []byte) (int, error) {
	w.b.WriteString(string(p))
	return len(p), nil
}

// runCommand runs one command and fails the test, with everything needed to debug it, unless it exits 0.
func (s *scratch) runCommand(c quotedCommand, text string) {
	t := s.t
	t.Helper()
	t.Logf("running %s", c)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", text)
	cmd.Dir, cmd.Env = s.dir, s.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		log := "(no server)"
		if s.server != nil {
			log = s.server.log.String()
		}
		t.Fatalf("%s\nran as: %s\nin %s: %v\nstdout:\n%s\nstderr:\n%s\nserver log:\n%s", c, text, s.dir, err,
			stdout.String(), stderr.String(), log)
	}
	if m := binds.FindStringSubmatch(c.comment); m != nil {
		var creds struct {
			ID     string `json:"client_id"`
			Secret string `json:"client_secret"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &creds); err != nil || creds.ID == "" {
			t.Fatalf("%s: its comment binds %s and %s, but its output is not a client's JSON: %v\n%s", c, m[1], m[2], err, stdout.String())
		}
		s.vars[m[1]], s.vars[m[2]] = creds.ID, creds.Secret
	}
}
