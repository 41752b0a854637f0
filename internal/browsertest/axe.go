package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeDir holds the package.json that pins axe-core; .ci/run installs it there with npm ci.
const axeDir = "axe"

// AxeScript returns axe-core's browser bundle, installed from npm into internal/browsertest/axe (npm ci --prefix
// internal/browsertest/axe). Without it a test skips locally with the command to run, and fails under CI=true.
func AxeScript(t *testing.T) string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(self), axeDir, "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core is not installed (%v), and CI must run the accessibility audits (.ci/run installs it)", err)
		}
		t.Skipf("skipping the accessibility audit: axe-core is not installed (npm ci --prefix internal/browsertest/axe): %v", err)
	}
	return string(b)
}

// Violation is one axe-core rule a page breaks, with the elements that break it.
type Violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

func (v Violation) String() string {
	return fmt.Sprintf("%s (%s): %s: %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "))
}

// Audit runs axe-core (the script from AxeScript) on the page loaded in ctx and returns its serious and critical
// violations. The script is evaluated through the DevTools protocol, so the page's Content Security Policy does
// not apply to it.
func Audit(ctx context.Context, axe string) ([]Violation, error) {
	run := `(async () => {
		const r = await axe.run(document, {resultTypes: ['violations']});
		return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
			id: v.id, impact: v.impact, help: v.help,
			targets: v.nodes.map(n => n.target.join(' ') + (n.failureSummary ? ' [' + n.failureSummary.replace(/\s+/g, ' ') + ']' : '')),
		}));
	})()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		return nil, fmt.Errorf("injecting axe-core: %w", err)
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](run, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("axe.run: %w", err)
	}
	return found, nil
}

// ColorScheme emulates prefers-color-scheme ("light" or "dark") for the pages loaded in ctx from now on.
func ColorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
}
