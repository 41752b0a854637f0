package lint

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assentry/assentry/themes"
)

func writeTheme(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestDefaultThemeIsClean: the embedded default theme, written out as `theme export` does, has no problem.
func TestDefaultThemeIsClean(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, themes.DefaultFiles()); err != nil {
		t.Fatal(err)
	}
	res, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 || len(res.Pages) < len(themes.Required()) {
		t.Fatalf("pages %v, problems:\n%v", res.Pages, res.Problems)
	}
}

func TestFindsProblems(t *testing.T) {
	login, err := fs.ReadFile(themes.DefaultFiles(), "login.html")
	if err != nil {
		t.Fatal(err)
	}
	// login.html without its password field and with an inline handler on line 1.
	brokenLogin := strings.Replace(string(login), `name="password"`, `name="pass"`, 1)
	brokenLogin = "<div onclick=\"go()\"></div>" + brokenLogin
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the report, one line each
	}{
		{name: "csp", files: map[string]string{
			"layout.html": "<!doctype html><html><head>\n<link rel=\"stylesheet\" href=\"https://cdn.example.com/x.css\">\n" +
				"<style>p{}</style><script>alert(1)</script>\n<script src=\"{{static \"style.css\"}}\"></script>\n" +
				"</head><body style=\"margin:0\">{{block \"content\" .}}{{end}}\n<a href=\"javascript:void(0)\">x</a>" +
				"<img src=\"//img.example.com/a.png\"><img src=\"{{.Host}}\"></body></html>",
			"static/style.css": "body{}\n@font-face{src:url( 'https://fonts.example.com/f.woff2')}\n",
		}, want: []string{
			"layout.html:2:1: <link href=\"https://cdn.example.com/x.css\">",
			"layout.html:3:1: <style> element",
			"layout.html:3:19: inline <script>",
			"layout.html:5:8: style= attribute on <body>",
			"layout.html:6:1: javascript: URL in href=",
			"layout.html:6:35: <img src=\"//img.example.com/a.png\">",
			filepath.Join("static", "style.css") + ":2:16: the CSP",
		}},
		{name: "forms", files: map[string]string{"login.html": brokenLogin,
			"_csrf.html": `{{/* dropped */}}`}, want: []string{
			"login.html:1:1: onclick= handler on <div>",
			"login.html:", "page login: no form sends the field name=\"password\"",
			"page login: no form sends the field name=\"csrf_token\"",
			"(default theme) consent.html: page consent: no form sends the field name=\"csrf_token\"",
		}},
		{name: "extra page standing in for consent", files: map[string]string{
			"consent-acme.html": `{{template "layout.html" .}}{{define "content"}}<form method="post" action="{{.Action}}">{{template "_csrf.html" .}}{{template "_interaction.html" .}}` +
				`{{range .Scopes}}<input type="checkbox" name="scope" value="{{.Name}}">{{end}}<button name="consent" value="denied">No</button><button name="consent" value="granted">Yes</button></form>{{end}}`,
		}, want: []string{"consent-acme.html:1:", "the denied button comes before the granted one"}},
		{name: "a language with missing messages", files: map[string]string{
			"messages/fr.json": `{"login.title": "Connexion", "login.submit": "Se connecter"}`,
		}, want: []string{"{dir}" + string(filepath.Separator) + filepath.Join("messages", "fr.json") + ": ", "missing in fr, shown in English:", "consent.allow"}},
		{name: "a catalog named by a tag in another case", files: map[string]string{
			"messages/pt-br.json": `{"login.title": "Entrar"}`,
		}, want: []string{"{dir}" + string(filepath.Separator) + filepath.Join("messages", "pt-br.json") + ": ", "missing in pt-BR"}},
		{name: "template errors", files: map[string]string{"login.html": "{{template \"layout.html\" .}}\n{{.Nope}}", "x.html": "{{if}}"},
			want: []string{"login.html: rendering with sample data", "x.html:1:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTheme(t, tt.files)
			res, err := Check(dir)
			if err != nil {
				t.Fatal(err)
			}
			var report []string
			for _, p := range res.Problems {
				report = append(report, p.String())
			}
			all := strings.Join(report, "\n")
			for _, w := range tt.want {
				if w = strings.ReplaceAll(w, "{dir}", dir); !strings.Contains(all, w) {
					t.Errorf("report lacks %q:\n%s", w, all)
				}
			}
			if strings.Contains(all, "Host") || strings.Contains(all, "static \"style.css\"") {
				t.Errorf("a template action was reported as markup:\n%s", all)
			}
		})
	}
}

// TestExampleThemeIsClean: examples/themes/aurora, the README's complete custom theme, passes `theme check`: its
// forms, its CSP and its three languages.
func TestExampleThemeIsClean(t *testing.T) {
	res, err := Check(filepath.Join("..", "..", "examples", "themes", "aurora"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Errorf("%s", p)
	}
}
