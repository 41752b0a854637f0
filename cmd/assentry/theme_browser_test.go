package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/browsertest"
	"github.com/chromedp/chromedp"
)

// TestThemeLiveReload: while `assentry serve` runs, a changed template and a changed stylesheet in the host's theme
// directory reach the browser without a restart or a reload of the configuration, the stylesheet under a new hashed
// URL cached as immutable; a broken template is logged with its line and column and the last good version stays.
func TestThemeLiveReload(t *testing.T) {
	e := newCLIEnv(t)
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		saveAsEditor(t, dir, name, content)
	}
	write("static/brand.css", "h1{color:rgb(1, 2, 3)}")
	write("error.html", `{{template "layout.html" .}}{{define "content"}}<h1 id="v1">First</h1><link rel="stylesheet" href="{{static "brand.css"}}">{{end}}`)
	e.appendConfig("theme: " + dir + "\n")
	srv := e.startServer()
	ctx := browsertest.New(t)
	base := "http://" + e.addr

	// A page the error template renders: /oauth2/authorize without a client.
	page := base + "/oauth2/authorize"
	href := `document.querySelector('link[href*="brand"]').getAttribute("href")`
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#v1"))); err != nil {
		t.Fatalf("%v\n%s", err, srv.log)
	}
	before, err := chromedp.Run(ctx, chromedp.Evaluate[string](href))
	if err != nil || !strings.HasPrefix(before, "/static/brand.") {
		t.Fatalf("stylesheet %q: %v", before, err)
	}

	write("error.html", `{{template "layout.html" .}}{{define "content"}}<h1 id="v2">Second</h1><link rel="stylesheet" href="{{static "brand.css"}}">{{end}}`)
	write("static/brand.css", "h1{color:rgb(4, 5, 6)}")
	var after, color string
	deadline := time.Now().Add(60 * time.Second)
	for after == "" || after == before || color != "rgb(4, 5, 6)" {
		if time.Now().After(deadline) {
			t.Fatalf("no new version in the browser: stylesheet %s → %s, color %q\n%s", before, after, color, srv.log)
		}
		time.Sleep(50 * time.Millisecond)
		if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
			t.Fatal(err)
		}
		if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#v2').length`)); err != nil || n == 0 {
			continue
		}
		after, _ = chromedp.Run(ctx, chromedp.Evaluate[string](href))
		color, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('h1')).color`))
	}
	res, err := http.Get(base + after)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" || string(body) != "h1{color:rgb(4, 5, 6)}" {
		t.Fatalf("%s: %q %q", after, cc, body)
	}

	// A broken template: logged with its position, and the pages keep the last good version.
	write("error.html", "{{template \"layout.html\" .}}\n{{define \"content\"}}<h1>{{.Nope}</h1>{{end}}")
	deadline = time.Now().Add(60 * time.Second)
	for !strings.Contains(srv.log.String(), "theme reload failed") {
		if time.Now().After(deadline) {
			t.Fatalf("no error logged:\n%s", srv.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if log := srv.log.String(); !strings.Contains(log, "error.html:2:") || !strings.Contains(log, `"host":"default"`) {
		t.Fatalf("the log does not locate the error:\n%s", log)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#v2"))); err != nil {
		t.Fatal(err)
	}

	// A configuration reload builds a new generation, which loads the directory afresh and watches it in turn.
	write("error.html", `{{template "layout.html" .}}{{define "content"}}<h1 id="v3">Third</h1>{{end}}`)
	e.ok("", "reload")
	write("error.html", `{{template "layout.html" .}}{{define "content"}}<h1 id="v4">Fourth</h1>{{end}}`)
	deadline = time.Now().Add(60 * time.Second)
	for {
		if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
			t.Fatal(err)
		}
		if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#v4').length`)); err == nil && n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no live reload after a configuration reload\n%s", srv.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv.stop()
}

// saveAsEditor writes content to name under dir as editors save a file: to a new file, renamed over the old one.
func saveAsEditor(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(p), ".new-"+filepath.Base(p))
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}
