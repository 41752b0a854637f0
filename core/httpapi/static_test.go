package httpapi

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/assentry/assentry/themes"
)

var stylesheetHref = regexp.MustCompile(`<link rel="stylesheet" href="(/static/style\.[0-9a-f]{12}\.css)">`)

// TestStaticHashedURLs: pages link the stylesheet by its content hash, which is cached for ever; the plain path
// and a stale hash are revalidated; a theme swapped into the host (live reload) changes the URL at once.
func TestStaticHashedURLs(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	m := stylesheetHref.FindStringSubmatch(b.get("/login").body)
	if m == nil {
		t.Fatal("the login page does not link a hashed stylesheet")
	}
	hashed := m[1]
	tests := []struct {
		name, path, cache string
		status            int
	}{
		{name: "hashed", path: hashed, cache: "public, max-age=31536000, immutable", status: 200},
		{name: "plain", path: "/static/style.css", cache: "public, no-cache", status: 200},
		{name: "stale hash", path: "/static/style.000000000000.css", cache: "public, no-cache", status: 200},
		{name: "hash of a missing file", path: "/static/nope.000000000000.css", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.get(tt.path)
			if p.status != tt.status {
				t.Fatalf("%s: %d", tt.path, p.status)
			}
			if tt.status == 200 && (p.header.Get("Cache-Control") != tt.cache || p.header.Get("Content-Type") != "text/css; charset=utf-8" || p.header.Get("ETag") == "") {
				t.Fatalf("%s: %v", tt.path, p.header)
			}
		})
	}
	req, _ := http.NewRequest(http.MethodGet, e.base+"/static/style.css", nil)
	req.Header.Set("If-None-Match", b.get("/static/style.css").header.Get("ETag"))
	if p := b.do(req); p.status != http.StatusNotModified || p.body != "" {
		t.Fatalf("If-None-Match: %d %q", p.status, p.body)
	}

	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "static", "style.css"), []byte("body{color:teal}"), 0o644); err != nil {
		t.Fatal(err)
	}
	next, err := themes.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	e.host.Theme.Store(next)
	m = stylesheetHref.FindStringSubmatch(b.get("/login").body)
	if m == nil || m[1] == hashed {
		t.Fatalf("after the swap the page links %v, before %s", m, hashed)
	}
	if p := b.get(m[1]); p.body != "body{color:teal}" || p.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("new stylesheet: %q %v", p.body, p.header)
	}
	if p := b.get(hashed); p.body != "body{color:teal}" || p.header.Get("Cache-Control") != "public, no-cache" {
		t.Fatalf("old hash after the swap: %q %v", p.body, p.header)
	}
}
