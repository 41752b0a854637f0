package themes

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestStaticFS(t *testing.T) {
	th := mustLoad(t, writeTheme(t, map[string]string{
		"static/img/a.svg":   `<svg/>`,
		"static/img/b/c.png": `png`,
		"static/style.css":   `body{}`,
	}))
	if err := fstest.TestFS(th.Static(), "style.css", "favicon.svg", "img/a.svg", "img/b/c.png"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want error
	}{
		{name: "parent escape", path: "../style.css", want: fs.ErrInvalid},
		{name: "static prefix is not part of the name", path: "static/style.css", want: fs.ErrNotExist},
		{name: "absolute", path: "/style.css", want: fs.ErrInvalid},
		{name: "missing", path: "nope.css", want: fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := th.Static().Open(tt.path); !errors.Is(err, tt.want) {
				t.Errorf("Open(%q) = %v, want %v", tt.path, err, tt.want)
			}
		})
	}
}

func TestStaticClash(t *testing.T) {
	_, err := Load(writeTheme(t, map[string]string{"static/favicon.svg/x.png": `png`}))
	if err == nil || !strings.Contains(err.Error(), "favicon.svg is also a directory") {
		t.Fatalf("err = %v, want a file/directory clash", err)
	}
}

// TestStaticServes checks the FS works with net/http's file server (it needs Seek on files).
func TestStaticServes(t *testing.T) {
	th := mustLoad(t, "")
	srv := httptest.NewServer(http.StripPrefix("/static/", http.FileServerFS(th.Static())))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "color-scheme: light dark") {
		t.Errorf("GET style.css = %d %.60q", res.StatusCode, body)
	}
}

func TestContentType(t *testing.T) {
	tests := []struct{ name, want string }{
		{"style.css", "text/css; charset=utf-8"},
		{"STYLE.CSS", "text/css; charset=utf-8"},
		{"favicon.svg", "image/svg+xml"},
		{"img/logo.png", "image/png"},
		{"photo.jpeg", "image/jpeg"},
		{"fonts/inter.woff2", "font/woff2"},
		{"favicon.ico", "image/vnd.microsoft.icon"},
		{"app.js", "text/javascript; charset=utf-8"},
		{"site.webmanifest", "application/manifest+json"},
		{"page.html", "application/octet-stream"},
		{"noext", "application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ContentType(tt.name); got != tt.want {
				t.Errorf("ContentType(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}
