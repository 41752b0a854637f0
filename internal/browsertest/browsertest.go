// Package browsertest starts Debian's chromium under chromedp for the end-to-end tests of any package: without
// chromium a test skips locally with a message, and fails in CI (CI=true), which installs it.
//
// It is test support only; nothing outside tests imports it.
package browsertest

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// New starts a headless chromium with a fresh profile, closed when the test ends, and returns its context
// (bounded to 90 s).
func New(t *testing.T) context.Context {
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

// Callback is a relying party's redirect endpoint on 127.0.0.1: it hands the query of every request to /callback
// to the test and shows a page with id "done".
type Callback struct {
	URL   string // http://127.0.0.1:port/callback
	codes chan url.Values
}

// NewCallback listens at once (so its URL can go into a configuration) and serves until the test ends.
func NewCallback(t *testing.T) *Callback {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cb := &Callback{URL: "http://" + ln.Addr().String() + "/callback", codes: make(chan url.Values, 4)}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r) // the browser also asks for /favicon.ico
			return
		}
		cb.codes <- r.URL.Query()
		_, _ = io.WriteString(w, "<!doctype html><title>done</title><p id=done>Signed in to the relying party</p>")
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return cb
}

// Wait returns the query of the next redirect, failing the test after 30 s.
func (cb *Callback) Wait(t *testing.T) url.Values {
	t.Helper()
	select {
	case q := <-cb.codes:
		return q
	case <-time.After(30 * time.Second):
		t.Fatal("the relying party never received the redirect")
		return nil
	}
}

// Landed waits until the browser shows the callback page, so a next navigation does not abort the one still
// loading.
func Landed(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#done"))); err != nil {
		t.Fatalf("the browser did not reach the relying party: %v", err)
	}
}
