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
		`href="/page/login/error"`, `href="/page/login/rate-limited"`, `href="/page/consent/many-scopes"`,
		`href="/page/consent/long-client-name"`, `href="/page/consent/notices"`, `href="/page/device/entry"`,
		`href="/page/device_done/approved"`, `href="/page/oob/plain"`, `href="/page/error/plain"`,
		`href="/page/logout/done"`, `href="/page/signed_in/plain"`,
		`href="/page/consent-acme/many-scopes"`, // the extra page, in the states of consent
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
