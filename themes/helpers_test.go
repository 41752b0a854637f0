package themes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTheme creates a theme directory with the given files (slash-separated paths → contents).
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

// mustLoad loads a theme or fails the test.
func mustLoad(t *testing.T, dir string) *Theme {
	t.Helper()
	th, err := Load(dir)
	if err != nil {
		t.Fatalf("Load(%q): %v", dir, err)
	}
	return th
}

// render renders a page or fails the test.
func render(t *testing.T, th *Theme, name string, p *Page) string {
	t.Helper()
	var b strings.Builder
	if err := th.Render(&b, name, p); err != nil {
		t.Fatalf("Render(%q): %v", name, err)
	}
	return b.String()
}

// basePage is what the HTTP layer sets on every page.
func basePage() *Page {
	return &Page{SiteName: "Example ID", Host: "id.example.com", Locale: "en", CSRF: CSRF{Field: "csrf_token", Value: "tok-123"}}
}
