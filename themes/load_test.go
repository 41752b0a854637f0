package themes

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadDefault(t *testing.T) {
	th := mustLoad(t, "")
	for _, name := range Required() {
		if !th.Has(name) {
			t.Errorf("embedded theme has no %q", name)
		}
	}
	for _, name := range []string{"layout", "_csrf", "nope", ""} {
		if th.Has(name) {
			t.Errorf("Has(%q) = true, want false: not a page", name)
		}
	}
	if got, want := th.Names(), []string{"account", "consent", "device", "device_done", "error", "login", "logout", "oob", "signed_in"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	for _, f := range []string{"style.css", "favicon.svg"} {
		if _, err := fs.Stat(th.Static(), f); err != nil {
			t.Errorf("static %s: %v", f, err)
		}
	}
}

func TestOverlay(t *testing.T) {
	dir := writeTheme(t, map[string]string{
		"login.html":        `{{template "layout.html" .}}{{define "title"}}Branded{{end}}{{define "content"}}<form method="post" action="{{.Action}}">{{template "_csrf.html" .}}<input name="username"><input name="password" type="password"></form>{{end}}`,
		"static/style.css":  `body{color:red}`,
		"static/img/bg.svg": `<svg xmlns="http://www.w3.org/2000/svg"/>`,
		"consent-acme.html": `{{template "layout.html" .}}{{define "content"}}<p>Acme consent for {{.Client.Name}}</p>{{end}}`,
		"README.md":         `not part of the theme`,
		"notes/other.html":  `{{ broken`,
		".hidden.html":      `{{ broken`,
		"static/.DS_Store":  `junk`,
	})
	th := mustLoad(t, dir)
	p := basePage()
	p.Action = "/login"
	p.Client = &Client{Name: "Acme"}

	tests := []struct {
		name    string
		page    string
		want    []string
		notWant []string
	}{
		{name: "replaced template", page: PageLogin, want: []string{"<title>Branded · Example ID</title>", `name="csrf_token"`}, notWant: []string{"to continue to"}},
		{name: "default template kept", page: PageError, want: []string{"Something went wrong"}},
		{name: "extra template", page: "consent-acme", want: []string{"Acme consent for Acme", `<link rel="stylesheet" href="/static/style.`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(t, th, tt.page, p)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in:\n%s", w, got)
				}
			}
		})
	}

	statics := []struct {
		name, file, want string
	}{
		{name: "replaced static file", file: "style.css", want: "body{color:red}"},
		{name: "added static file", file: "img/bg.svg", want: "<svg"},
		{name: "default static file kept", file: "favicon.svg", want: "<svg"},
	}
	for _, tt := range statics {
		t.Run(tt.name, func(t *testing.T) {
			data, err := fs.ReadFile(th.Static(), tt.file)
			if err != nil || !strings.Contains(string(data), tt.want) {
				t.Errorf("static %s = %q, %v; want it to contain %q", tt.file, data, err, tt.want)
			}
		})
	}
	if _, err := fs.Stat(th.Static(), ".DS_Store"); err == nil {
		t.Error("hidden static file was served")
	}
	if th.Has("other") || th.Has(".hidden") {
		t.Error("a template outside the top level or a hidden one was loaded")
	}
}

func TestOverlayLayoutOnly(t *testing.T) {
	th := mustLoad(t, writeTheme(t, map[string]string{
		"layout.html": `<!doctype html><html lang="{{.Locale}}"><body class="branded">{{block "content" .}}{{end}}</body></html>`,
	}))
	for _, name := range th.Names() {
		t.Run(name, func(t *testing.T) {
			p := basePage()
			p.User, p.Error, p.Client, p.Code = &User{Username: "alice"}, &Error{Code: "x"}, &Client{ID: "c"}, "ac_x"
			got := render(t, th, name, p)
			if !strings.Contains(got, `<body class="branded">`) {
				t.Errorf("page %s does not use the overlay's layout:\n%s", name, got)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	page := func(content string) string {
		return `{{template "layout.html" .}}{{define "content"}}` + content + `{{end}}`
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{
			name:  "syntax error names the file",
			files: map[string]string{"login.html": page(`{{if .User}}`)},
			want:  []string{"login.html", "unexpected EOF"},
		},
		{
			name:  "broken layout is reported once",
			files: map[string]string{"layout.html": `{{block "content" .}}`},
			want:  []string{"layout.html"},
		},
		{
			name:  "broken partial names the partial",
			files: map[string]string{"_csrf.html": `{{.CSRF.Field`},
			want:  []string{"_csrf.html"},
		},
		{
			name:  "unknown function",
			files: map[string]string{"error.html": page(`{{shout .Error.Code}}`)},
			want:  []string{"error.html", `function "shout" not defined`},
		},
		{
			name:  "unknown field",
			files: map[string]string{"signed_in.html": page(`{{.User.Email}}`)},
			want:  []string{"signed_in.html", "sample data", "Email"},
		},
		{
			name:  "unguarded optional field",
			files: map[string]string{"login.html": page(`to continue to {{.Client.Name}}`)},
			want:  []string{"login.html", "only required fields", "nil pointer"},
		},
		{
			name:  "unknown template",
			files: map[string]string{"oob.html": page(`{{template "_missing.html" .}}`)},
			want:  []string{"oob.html", "_missing.html"},
		},
		{
			name:  "extra template with a bad field",
			files: map[string]string{"branded.html": page(`{{.Nope}}`)},
			want:  []string{"branded.html", "Nope"},
		},
		{
			name:  "invalid extra template name",
			files: map[string]string{"my page.html": page(``)},
			want:  []string{"my page.html", "page name"},
		},
		{
			name: "every broken file is reported",
			files: map[string]string{
				"login.html": page(`{{end}}{{end}}`),
				"error.html": page(`{{.Nope}}`),
			},
			want: []string{"login.html", "error.html"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTheme(t, tt.files)
			_, err := Load(dir)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if n := strings.Count(err.Error(), "themes: "); tt.name == "broken layout is reported once" && n != 1 {
				t.Errorf("%d errors reported, want 1: %v", n, err)
			}
		})
	}
}

func TestLoadRefusesEscapes(t *testing.T) {
	base := t.TempDir()
	for name, content := range map[string]string{"secret.html": `{{template "layout.html" .}}`, "secret.css": `leaked`, "dir/x.css": `leaked`} {
		p := filepath.Join(base, "outside", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		link   string // slash path inside the theme directory
		target string // what the link points at
		want   string // the file the error must name
	}{
		{name: "template symlink to outside", link: "login.html", target: "../outside/secret.html", want: "login.html"},
		{name: "extra template symlink to outside", link: "extra.html", target: "../outside/secret.html", want: "extra.html"},
		{name: "static symlink to outside", link: "static/style.css", target: "../../outside/secret.css", want: "style.css"},
		{name: "absolute symlink", link: "static/abs.css", target: filepath.Join(base, "outside", "secret.css"), want: "abs.css"},
		{name: "symlinked static directory", link: "static", target: "../outside/dir", want: "static"},
		{name: "symlinked directory inside static", link: "static/fonts", target: "..", want: "fonts"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(base, fmt.Sprintf("theme%d", i))
			link := filepath.Join(dir, filepath.FromSlash(tt.link))
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.FromSlash(tt.target), link); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			if err == nil {
				t.Fatal("Load succeeded, want the path refused")
			}
			if !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q should say refused and name %q", err, tt.want)
			}
		})
	}
}

func TestLoadFollowsLinksInside(t *testing.T) {
	dir := writeTheme(t, map[string]string{"shared/brand.css": `.brand{}`})
	if err := os.MkdirAll(filepath.Join(dir, "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", "shared", "brand.css"), filepath.Join(dir, "static", "brand.css")); err != nil {
		t.Fatal(err)
	}
	th := mustLoad(t, dir)
	if data, err := fs.ReadFile(th.Static(), "brand.css"); err != nil || string(data) != ".brand{}" {
		t.Errorf("brand.css = %q, %v", data, err)
	}
}

func TestLoadMissingDir(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope"))
	if err == nil || !strings.Contains(err.Error(), "theme directory") {
		t.Fatalf("err = %v, want a theme directory error", err)
	}
}

func TestRequiredIsFresh(t *testing.T) {
	r := Required()
	r[0] = "changed"
	if Required()[0] != PageLogin {
		t.Error("Required returned shared state")
	}
	if want := []string{"login", "signed_in", "logout", "error", "consent", "oob", "device", "device_done", "account"}; !slices.Equal(Required(), want) {
		t.Errorf("Required() = %v, want %v", Required(), want)
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"consent", true}, {"consent-acme", true}, {"consent.acme_2", true},
		{"", false}, {"_csrf", false}, {".hidden", false}, {"my page", false}, {"a/b", false}, {"ü", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validName(tt.name); got != tt.want {
				t.Errorf("validName(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}
