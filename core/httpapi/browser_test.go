package httpapi

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// newBrowser starts Debian's chromium under chromedp. Without chromium the test skips locally; in CI
// (CI=true), which installs it, it fails instead.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed, and CI must run the browser tests (.ci/run installs it)")
		}
		t.Skip("skipping the browser test: chromium is not installed (apt-get install chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// screenshot saves a PNG of the page when SCREENSHOTS_DIR names a directory (to look at the pages).
func screenshot(ctx context.Context, t *testing.T, name string) {
	dir := os.Getenv("SCREENSHOTS_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

func TestBrowserLogin(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	username := chromedp.CSS(`input[name="username"]`)
	password := chromedp.CSS(`input[name="password"]`)
	signOut := chromedp.CSS(`form[action="/logout"] button[type="submit"]`)

	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/login"), chromedp.WaitVisible(username)); err != nil {
		t.Fatal(err)
	}
	screenshot(ctx, t, "login")
	// A wrong password first: the page says so and keeps the username.
	err := chromedp.Do(ctx,
		chromedp.SendKeys(username, "alice"),
		chromedp.SendKeys(password, "wrong"),
		chromedp.Submit(password),
		chromedp.WaitVisible(chromedp.CSS(`[role="alert"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[role="alert"]`)))
	if err != nil {
		t.Fatal(err)
	}
	value, err := chromedp.Run(ctx, chromedp.Value(username))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "not correct") || value != "alice" {
		t.Fatalf("after a wrong password: alert %q, username %q", text, value)
	}
	screenshot(ctx, t, "login-error")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(password, "correct horse battery"),
		chromedp.Submit(password),
		chromedp.WaitVisible(signOut),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Signed in as alice") {
		t.Fatalf("signed-in page does not name the user: %q", text)
	}
	screenshot(ctx, t, "signed-in")

	// Sign out through the page, then the login form is back.
	err = chromedp.Do(ctx,
		chromedp.Click(signOut),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Signed out")]`)),
		chromedp.Navigate(e.base+"/login"),
		chromedp.WaitVisible(password),
	)
	if err != nil {
		t.Fatalf("after sign-out the login form is not shown again: %v", err)
	}
}
