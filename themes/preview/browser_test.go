package preview

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assentry/assentry/internal/browsertest"
	"github.com/chromedp/chromedp"
)

// auditedThemes are the themes and languages TestAccessibility audits: the default theme in English and German,
// and the example theme examples/themes/aurora (its own palette and layout) in the language it adds, French.
var auditedThemes = []struct {
	name, dir, locale string
}{
	{"default", "", "en"},
	{"default", "", "de"},
	{"aurora", filepath.Join("..", "..", "examples", "themes", "aurora"), "fr"},
}

// narrowWidth is the narrowest CSS width every page must fit without scrolling sideways (WCAG 2.2 SC 1.4.10
// Reflow: 320 CSS pixels).
const narrowWidth = 320

// TestAccessibility audits every page of the audited themes (auditedThemes) in every sample state with axe-core,
// in light and in dark: no serious or critical violation; and at 320 px wide, no page scrolls sideways. With
// ASSENTRY_SCREENSHOTS=DIR it also writes a screenshot of each at 1280 and 390 px wide, in both schemes, for
// review (DIR/<theme>-<locale>-<page>-<state>-<scheme>-<width>.png).
func TestAccessibility(t *testing.T) {
	axe := browsertest.AxeScript(t)
	for _, th := range auditedThemes {
		t.Run(th.name+"/"+th.locale, func(t *testing.T) {
			p := New(th.dir)
			if p.loadErr != nil {
				t.Fatalf("%s does not load: %v", th.dir, p.loadErr)
			}
			srv := httptest.NewServer(p.Handler())
			t.Cleanup(srv.Close)
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
							a := audited{base: srv.URL, theme: th.name, locale: th.locale, entry: e, scheme: scheme}
							a.audit(t, ctx, axe)
							if scheme == "light" { // the layout is the same in both schemes
								a.reflow(t, ctx)
							}
						}
					}
				})
			}
		})
	}
}

// audited is one page state of one theme, in one language and colour scheme.
type audited struct {
	base, theme, locale string
	entry               Entry
	scheme              string
}

func (a audited) String() string {
	return fmt.Sprintf("%s %s/%s (%s, %s)", a.theme, a.entry.Page, a.entry.State, a.locale, a.scheme)
}

// load opens the page state at width CSS pixels and checks it came in the language asked for.
func (a audited) load(t *testing.T, ctx context.Context, width int64) {
	t.Helper()
	url := a.base + "/page/" + a.entry.Page + "/" + a.entry.State + "?ui_locales=" + a.locale
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(url),
		chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil || lang != a.locale {
		t.Fatalf("%s: <html lang=%q> (%v)", a, lang, err)
	}
}

// audit runs axe-core on the page state and, when asked, takes its screenshots.
func (a audited) audit(t *testing.T, ctx context.Context, axe string) {
	t.Helper()
	a.load(t, ctx, 1280)
	dark, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`matchMedia('(prefers-color-scheme: dark)').matches`))
	if err != nil || dark != (a.scheme == "dark") {
		t.Fatalf("%s: the color scheme is not emulated (%v)", a, err)
	}
	violations, err := browsertest.Audit(ctx, axe)
	if err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	for _, v := range violations {
		t.Errorf("%s: %s", a, v)
	}
	browsertest.Screenshot(ctx, t, fmt.Sprintf("%s-%s-%s-%s-%s", a.theme, a.locale, a.entry.Page, a.entry.State, a.scheme))
}

// reflow checks that the page state fits narrowWidth without a horizontal scroll bar.
func (a audited) reflow(t *testing.T, ctx context.Context) {
	t.Helper()
	a.load(t, ctx, narrowWidth)
	scroll, client, err := browsertest.Overflow(ctx)
	if err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if client != narrowWidth || scroll > client {
		t.Errorf("%s at %d px: scrollWidth %d > clientWidth %d: the page scrolls sideways", a, narrowWidth, scroll, client)
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

// TestReflowFindsOverflow: the 320 px check is not vacuous: a page wider than the viewport is reported, and the
// default login page is not.
func TestReflowFindsOverflow(t *testing.T) {
	ctx := browsertest.New(t)
	dir := writeTheme(t, map[string]string{"error.html": `{{template "layout.html" .}}{{define "content"}}` +
		`<svg width="1000" height="10" aria-hidden="true"></svg>{{end}}`})
	srv := httptest.NewServer(New(dir).Handler())
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		page     string
		overflow bool
	}{{"error", true}, {"login", false}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(narrowWidth, 900), chromedp.Navigate(srv.URL+"/page/"+tt.page+"/plain"),
			chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatal(err)
		}
		scroll, client, err := browsertest.Overflow(ctx)
		if err != nil || client != narrowWidth || (scroll > client) != tt.overflow {
			t.Fatalf("%s: scrollWidth %d, clientWidth %d (%v); want overflow %v", tt.page, scroll, client, err, tt.overflow)
		}
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
