package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// ScreenshotsEnv names the directory the browser tests write screenshots of the pages to, for review; unset, they
// write none. One variable for every test that takes them: the preview's page states and the real flows.
const ScreenshotsEnv = "ASSENTRY_SCREENSHOTS"

// ScreenshotWidths are the CSS widths every screenshot is taken at: a desktop window and a phone.
var ScreenshotWidths = []int64{1280, 390}

// ScreenshotDir is the directory ScreenshotsEnv names, created if needed; "" when it is unset.
func ScreenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(ScreenshotsEnv)
	if dir == "" {
		return ""
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Screenshot writes the page loaded in ctx as DIR/<name>-<width>.png at each of ScreenshotWidths when
// ScreenshotsEnv names a directory, then gives the page back its window's size. A screenshot that fails is
// logged, not fatal: it is for people to look at, not a check.
func Screenshot(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	dir := ScreenshotDir(t)
	if dir == "" {
		return
	}
	name = strings.ReplaceAll(name, "/", "-")
	for _, width := range ScreenshotWidths {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Logf("screenshot %s at %d px: %v", name, width, err)
			return
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Logf("screenshot %s at %d px: %v", name, width, err)
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, width)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, clearViewport()); err != nil {
		t.Logf("screenshot %s: restoring the viewport: %v", name, err)
	}
}

// clearViewport ends EmulateViewport: the page is laid out at its window's size again.
func clearViewport() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
		return err
	})
}

// Overflow reports how wide the page loaded in ctx is laid out against its viewport: the root element's
// scrollWidth and clientWidth, in CSS pixels. scrollWidth > clientWidth is a page that scrolls sideways.
func Overflow(ctx context.Context) (scrollWidth, clientWidth int, err error) {
	w, err := chromedp.Run(ctx, chromedp.Evaluate[[2]int](
		`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	return w[0], w[1], err
}
