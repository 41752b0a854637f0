package preview

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTheme(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), content)
	}
	return dir
}

// writeFile writes a file as an editor saves it: a temporary file renamed over the original.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, srv *httptest.Server, path string) (int, http.Header, string) {
	t.Helper()
	res, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func TestPreview(t *testing.T) {
	dir := writeTheme(t, map[string]string{
		"consent-acme.html": `{{template "layout.html" .}}{{define "content"}}<h1>Acme {{template "_client.html" .Client}}</h1>{{end}}`,
	})
	srv := httptest.NewServer(New(dir).Handler())
	t.Cleanup(srv.Close)

	_, _, index := get(t, srv, "/")
	for _, want := range []string{
		`href="/page/login/error?ui_locales=en"`, `href="/page/login/rate-limited?ui_locales=en"`, `href="/page/consent/many-scopes?ui_locales=en"`,
		`href="/page/consent/long-client-name?ui_locales=en"`, `href="/page/consent/notices?ui_locales=en"`, `href="/page/device/entry?ui_locales=en"`,
		`href="/page/device_done/approved?ui_locales=en"`, `href="/page/oob/plain?ui_locales=en"`, `href="/page/error/plain?ui_locales=en"`,
		`href="/page/logout/done?ui_locales=en"`, `href="/page/signed_in/plain?ui_locales=en"`,
		`href="/page/consent-acme/many-scopes?ui_locales=en"`, // the extra page, in the states of consent
		`<script src="/__preview/reload.js" defer></script>`,
	} {
		if !strings.Contains(index, want) {
			t.Errorf("index lacks %s", want)
		}
	}
	tests := []struct {
		name, path string
		status     int
		want       []string
	}{
		{"branded page", "/page/consent-acme/long-client-name", 200, []string{"Acme The Extraordinarily Long-Named",
			`<script src="/__preview/reload.js" defer></script></body>`}},
		{"login with an error", "/page/login/error", 200, []string{"The username or password is not correct.", `role="alert"`}},
		{"hashed stylesheet", "/static/style.css", 200, []string{"--accent"}},
		{"unknown state", "/page/login/nope", 404, nil},
		{"unknown page", "/page/nope/plain", 404, nil},
		{"script", "/__preview/reload.js", 200, []string{"location.reload()"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := get(t, srv, tt.path)
			if status != tt.status {
				t.Fatalf("%s: %d", tt.path, status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s lacks %q:\n%s", tt.path, w, body)
				}
			}
			if !strings.HasPrefix(h.Get("Content-Security-Policy"), "default-src 'self'") {
				t.Errorf("CSP %q", h.Get("Content-Security-Policy"))
			}
		})
	}
}

// TestPreviewLanguage: the preview picks a page's language as the server does, ui_locales before
// Accept-Language, among the theme's catalogs; the index offers every catalog and its links keep the choice.
func TestPreviewLanguage(t *testing.T) {
	dir := writeTheme(t, map[string]string{"messages/fr.json": `{"login.title": "Connexion"}`})
	srv := httptest.NewServer(New(dir).Handler())
	t.Cleanup(srv.Close)
	getLang := func(path, lang string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept-Language", lang)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	tests := []struct {
		name, path, accept string
		want               []string
	}{
		{"ui_locales", "/page/login/plain?ui_locales=fr", "de", []string{`<html lang="fr">`, "<h1>Connexion</h1>"}},
		{"Accept-Language", "/page/login/plain", "de-CH, en;q=0.5", []string{`<html lang="de">`, "<h1>Anmelden</h1>"}},
		{"neither supported", "/page/login/plain?ui_locales=ja", "ko", []string{`<html lang="en">`, "<h1>Sign in</h1>"}},
		{"index in French", "/?ui_locales=fr", "", []string{`href="/page/login/plain?ui_locales=fr"`,
			`<a href="/?ui_locales=fr" hreflang="fr" lang="fr" aria-current="page">français</a>`,
			`<a href="/?ui_locales=de" hreflang="de" lang="de">Deutsch</a>`, `<a href="/?ui_locales=en" hreflang="en" lang="en">English</a>`}},
		{"index by Accept-Language", "/", "de", []string{`href="/page/consent/plain?ui_locales=de"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := getLang(tt.path, tt.accept)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s lacks %s:\n%s", tt.path, w, body)
				}
			}
		})
	}
}

// TestPreviewShowsLoadErrors: a theme that does not load is previewed on the default theme, its errors on the index.
func TestPreviewShowsLoadErrors(t *testing.T) {
	dir := writeTheme(t, map[string]string{"login.html": "{{if}}"})
	srv := httptest.NewServer(New(dir).Handler())
	t.Cleanup(srv.Close)
	_, _, index := get(t, srv, "/")
	if !strings.Contains(index, `id="load-errors"`) || !strings.Contains(index, "login.html:1") {
		t.Fatalf("index:\n%s", index)
	}
	if status, _, _ := get(t, srv, "/page/login/plain"); status != 200 {
		t.Fatalf("login: %d", status)
	}
}
