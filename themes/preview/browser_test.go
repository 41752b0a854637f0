package preview

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assentry/assentry/internal/browsertest"
	"github.com/chromedp/chromedp"
)

// TestAccessibility audits every page of the default theme in every sample state with axe-core, in light and in
// dark: no serious or critical violation. With ASSENTRY_SCREENSHOTS=DIR it also writes a screenshot of each at
// 1280 and 390 px wide, in both schemes, for review (DIR/<page>-<state>-<scheme>-<width>.png).
func TestAccessibility(t *testing.T) {
	axe := browsertest.AxeScript(t)
	p := New("")
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	shots := browsertest.ScreenshotDir(t)

	entries := Entries(p.live.Load())
	if len(entries) < 30 {
		t.Fatalf("only %d page states", len(entries))
	}
	byPage := map[string][]Entry{}
	var pages []string
	for _, e := range entries {
		if byPage[e.Page] == nil {
			pages = append(pages, e.Page)
		}
		byPage[e.Page] = append(byPage[e.Page], e)
	}
	// One browser per page keeps each within browsertest's deadline, however slow the machine.
	for _, pg := range pages {
		t.Run(pg, func(t *testing.T) {
			ctx := browsertest.New(t)
			for _, scheme := range []string{"light", "dark"} {
				if err := chromedp.Do(ctx, browsertest.ColorScheme(scheme)); err != nil {
					t.Fatal(err)
				}
				for _, e := range byPage[pg] {
					audit(t, ctx, axe, srv.URL, e, scheme, shots)
				}
			}
		})
	}
}

// audit loads one page state in one colour scheme, runs axe-core on it and, when asked, takes its screenshots.
func audit(t *testing.T, ctx context.Context, axe, base string, e Entry, scheme, shots string) {
	t.Helper()
	name := e.Page + "/" + e.State + " (" + scheme + ")"
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/page/"+e.Page+"/"+e.State),
		chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	dark, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`matchMedia('(prefers-color-scheme: dark)').matches`))
	if err != nil || dark != (scheme == "dark") {
		t.Fatalf("%s: the color scheme is not emulated (%v)", name, err)
	}
	violations, err := browsertest.Audit(ctx, axe)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, v := range violations {
		t.Errorf("%s: %s", name, v)
	}
	if shots != "" {
		screenshots(t, ctx, shots, fmt.Sprintf("%s-%s-%s", e.Page, e.State, scheme))
	}
}

// screenshots writes the page loaded in ctx at 1280 and 390 px wide.
func screenshots(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	for _, width := range []int64{1280, 390} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", strings.ReplaceAll(name, "/", "-"), width)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAuditFindsViolations: the audit is not vacuous: a page with an image without alt text and an unlabelled
// field is reported.
func TestAuditFindsViolations(t *testing.T) {
	axe := browsertest.AxeScript(t)
	ctx := browsertest.New(t)
	dir := writeTheme(t, map[string]string{"login.html": `{{template "layout.html" .}}{{define "content"}}` +
		`<img src="{{static "favicon.svg"}}"><form method="post"><input name="username"></form>{{end}}`})
	srv := httptest.NewServer(New(dir).Handler())
	t.Cleanup(srv.Close)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/page/login/plain"), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatal(err)
	}
	violations, err := browsertest.Audit(ctx, axe)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range violations {
		ids = append(ids, v.ID)
	}
	if got := strings.Join(ids, " "); !strings.Contains(got, "image-alt") || !strings.Contains(got, "label") {
		t.Fatalf("violations: %v", violations)
	}
}

// TestBrowserReloadsOnChange: a page open in the browser shows a change of the theme directory without any action
// of the author (the reload script), and the new stylesheet by its new hashed URL.
func TestBrowserReloadsOnChange(t *testing.T) {
	ctx := browsertest.New(t)
	dir := writeTheme(t, map[string]string{"static/style.css": "body{color:black}"})
	p := New(dir)
	wctx, cancel := context.WithCancel(context.Background())
	done, err := p.Watch(wctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-done })
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/page/error/plain"), chromedp.WaitReady(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	before, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('link[rel="stylesheet"]').getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	// Wait for the reload script to have read the version, then change a template and the stylesheet.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`performance.getEntriesByType('resource').some(e => e.name.includes('/__preview/version'))`)); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "error.html"), `{{template "layout.html" .}}{{define "content"}}<h1 id="changed">Changed</h1>{{end}}`)
	writeFile(t, filepath.Join(dir, "static", "style.css"), "body{color:navy}")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#changed"))); err != nil {
		t.Fatalf("the page did not reload: %v", err)
	}
	after, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('link[rel="stylesheet"]').getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	// The template may have been reloaded before the stylesheet was written: wait for the next reload then.
	for after == before {
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		if after, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('link[rel="stylesheet"]').getAttribute("href")`)); err != nil {
			t.Fatal(err)
		}
	}
	color, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).color`))
	if err != nil || color != "rgb(0, 0, 128)" {
		t.Fatalf("body color %q (%v); stylesheet %s → %s", color, err, before, after)
	}
}
