package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestThemeExportCheck: export writes the default theme into an empty directory only; check accepts it, and
// reports a lost form field and an inline style with their file and line, with exit status 2.
func TestThemeExportCheck(t *testing.T) {
	e := newCLIEnv(t)
	dir := filepath.Join(t.TempDir(), "mytheme")
	if out := e.ok("", "theme", "export", dir); !strings.Contains(out, "wrote the default theme") {
		t.Fatalf("export: %s", out)
	}
	for _, f := range []string{"layout.html", "login.html", "account.html", "_csrf.html", "static/style.css", "messages/en.json", "messages/de.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if r := e.run("", "theme", "export", dir); r.code != 2 || !strings.Contains(r.stderr, "not empty") {
		t.Fatalf("export into a non-empty directory: %d %s", r.code, r.stderr)
	}
	if out := e.ok("", "theme", "check", dir); !strings.Contains(out, "ok (9 pages") {
		t.Fatalf("check of the exported theme: %s", out)
	}

	login := filepath.Join(dir, "login.html")
	b, err := os.ReadFile(login)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(b), `name="password"`, `name="pw"`, 1)
	src = strings.Replace(src, "<form ", "<form style=\"margin:0\" ", 1)
	if err := os.WriteFile(login, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	formLine := 1 + strings.Count(src[:strings.Index(src, "<form ")], "\n")
	r := e.run("", "theme", "check", dir)
	if r.code != 2 || !strings.Contains(r.stderr, "2 problems") {
		t.Fatalf("check: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(regexp.QuoteMeta(login) + `:` + strconv.Itoa(formLine) + `:\d+: style= attribute on <form>`),
		regexp.MustCompile(regexp.QuoteMeta(login) + `:` + strconv.Itoa(formLine) + `: page login: no form sends the field name="password"`),
	} {
		if !want.MatchString(r.stdout) {
			t.Errorf("check output lacks %s:\n%s", want, r.stdout)
		}
	}
	if r := e.run("", "theme", "check", filepath.Join(dir, "nope")); r.code != 2 {
		t.Fatalf("check of a missing directory: %d", r.code)
	}
}

var previewURL = regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)/`)

// startThemeServe runs `assentry theme serve` on dir and returns it with its base URL.
func startThemeServe(t *testing.T, dir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(binary, "theme", "serve", "--theme", dir, "--addr", "127.0.0.1:0")
	cmd.Env = childEnv
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	m := previewURL.FindStringSubmatch(line)
	if err != nil || m == nil {
		t.Fatalf("first line %q: %v", line, err)
	}
	return cmd, m[1]
}

// previewGet GETs a preview URL with an Accept-Language header ("" for none).
func previewGet(t *testing.T, url, acceptLanguage string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// TestThemeServeLanguages: an author who adds messages/fr.json previews the pages in French; the preview picks
// the language as the server does (ui_locales, then Accept-Language), and its index switches between the
// theme's languages; an edited or added catalog is live-reloaded.
func TestThemeServeLanguages(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "messages"), 0o755); err != nil {
		t.Fatal(err)
	}
	fr := `{"login.title": "Connexion", "login.username": "Nom d'utilisateur", "consent.allow": "Autoriser"}`
	if err := os.WriteFile(filepath.Join(dir, "messages", "fr.json"), []byte(fr), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, base := startThemeServe(t, dir)
	tests := []struct {
		name, path, accept string
		want               []string
	}{
		{"French by ui_locales", "/page/login/plain?ui_locales=fr", "de", []string{`<html lang="fr">`, "<h1>Connexion</h1>", "Nom d&#39;utilisateur"}},
		{"German by Accept-Language", "/page/login/error", "de-DE, en;q=0.8", []string{`<html lang="de">`, "<h1>Anmelden</h1>",
			"Benutzername oder Passwort ist nicht korrekt."}},
		{"French by Accept-Language", "/page/consent/plain", "fr-CA", []string{`<html lang="fr">`, ">Autoriser<"}},
		{"the language switch", "/?ui_locales=fr", "", []string{`href="/?ui_locales=en"`, `href="/?ui_locales=de"`,
			`href="/?ui_locales=fr" hreflang="fr" lang="fr" aria-current="page"`, `href="/page/login/plain?ui_locales=fr"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := previewGet(t, base+tt.path, tt.accept)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s lacks %s:\n%s", tt.path, w, body)
				}
			}
		})
	}

	// A catalog edited while the preview runs reaches the pages, and a new one adds its language to the switch.
	if err := os.WriteFile(filepath.Join(dir, "messages", "fr.json"), []byte(`{"login.title": "Identification"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "messages", "es.json"), []byte(`{"login.title": "Iniciar sesión"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(previewGet(t, base+"/page/login/plain?ui_locales=fr", ""), "<h1>Identification</h1>") ||
		!strings.Contains(previewGet(t, base+"/", ""), `href="/?ui_locales=es"`) {
		if time.Now().After(deadline) {
			t.Fatal("the edited fr.json or the new es.json did not reach the preview")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// TestThemeServe: the preview listens on loopback only, lists the theme's pages, and its version (which the
// browser script polls) changes when a file of the theme changes.
func TestThemeServe(t *testing.T) {
	e := newCLIEnv(t)
	if r := e.run("", "theme", "serve", "--theme", t.TempDir(), "--addr", "0.0.0.0:0"); r.code != 2 || !strings.Contains(r.stderr, "loopback") {
		t.Fatalf("a non-loopback address: %d %s", r.code, r.stderr)
	}
	dir := t.TempDir()
	cmd, base := startThemeServe(t, dir)
	get := func(path string) string { t.Helper(); return previewGet(t, base+path, "") }
	if index := get("/"); !strings.Contains(index, `/page/login/rate-limited`) || !strings.Contains(index, `/page/consent/notices`) {
		t.Fatalf("index:\n%s", index)
	}
	v0 := get("/__preview/version")
	if err := os.WriteFile(filepath.Join(dir, "login.html"), []byte(`{{template "layout.html" .}}{{define "content"}}<h1>Mine</h1>{{end}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for get("/__preview/version") == v0 {
		if time.Now().After(deadline) {
			t.Fatal("the version did not change")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if page := get("/page/login/plain"); !strings.Contains(page, "<h1>Mine</h1>") {
		t.Fatalf("login after the change:\n%s", page)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// TestThemeCatalogLiveReload: while `assentry serve` runs, an edited messages/fr.json reaches the pages and a new
// messages/es.json reaches them and discovery's ui_locales_supported, without a restart or a configuration reload.
func TestThemeCatalogLiveReload(t *testing.T) {
	e := newCLIEnv(t)
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		saveAsEditor(t, dir, name, content)
	}
	write("messages/fr.json", `{"error.invalid_request.title": "Demande impossible"}`)
	e.appendConfig("theme: " + dir + "\n")
	srv := e.startServer()
	base := "http://" + e.addr
	// /oauth2/authorize without a client is an error page, in the language ui_locales asks for.
	waitFor := func(what, url, want string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			body := previewGet(t, url, "")
			if strings.Contains(body, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s lacks %q:\n%s\n%s", what, url, want, body, srv.log)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	discovery := base + "/.well-known/openid-configuration"
	waitFor("at start", base+"/oauth2/authorize?ui_locales=fr", "<h1>Demande impossible</h1>")
	if body := previewGet(t, discovery, ""); !strings.Contains(body, `"ui_locales_supported":["en","de","fr"]`) {
		t.Fatalf("discovery at start: %s", body)
	}

	write("messages/fr.json", `{"error.invalid_request.title": "Cette demande ne peut aboutir"}`)
	waitFor("fr.json edited", base+"/oauth2/authorize?ui_locales=fr", "<h1>Cette demande ne peut aboutir</h1>")

	write("messages/es.json", `{"error.invalid_request.title": "Solicitud no válida"}`)
	waitFor("es.json added", discovery, `"ui_locales_supported":["en","de","es","fr"]`)
	waitFor("es.json added", base+"/oauth2/authorize?ui_locales=es", "<h1>Solicitud no válida</h1>")
	srv.stop()
}
