package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/internal/testlog"
	"github.com/assentry/assentry/store"
	"github.com/gofiber/fiber/v2"
)

func TestHostRouting(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, host string
		want       int
		location   string
	}{
		{"issuer host", strings.TrimPrefix(e.base, "http://"), http.StatusOK, ""},
		{"other name, single host: redirected to the issuer", "localhost:1234", http.StatusTemporaryRedirect, e.base + "/login?x=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/login?x=1", nil)
			req.Host = tt.host
			res, err := e.srv.App().Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tt.want || res.Header.Get("Location") != tt.location {
				t.Fatalf("%d %q, want %d %q", res.StatusCode, res.Header.Get("Location"), tt.want, tt.location)
			}
		})
	}
}

func TestMultiHostRouting(t *testing.T) {
	e := newEnv(t)
	cfg := testConfig("https://auth.example.org")
	cfg.ID, cfg.SiteName = "second", "Second"
	second, _, _ := buildHost(t, cfg, e.st, assembly.Options{KeyAlgorithms: testAlgs})
	srv, err := New(Options{Hosts: []*Host{e.host, second}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	get := func(host string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, "/login", nil)
		req.Host = host
		res, err := srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := get("unknown.example"); res.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("unknown host with several hosts: %d, want 421", res.StatusCode)
	}
	res := get("AUTH.example.org")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("second host: %d", res.StatusCode)
	}
	// An https host uses __Host- cookies with Secure.
	ck := res.Header.Get("Set-Cookie")
	if !strings.HasPrefix(ck, "__Host-assentry_csrf=") || !strings.Contains(ck, "secure") && !strings.Contains(ck, "Secure") || !strings.Contains(ck, "path=/") && !strings.Contains(ck, "Path=/") {
		t.Fatalf("https host cookie: %s", ck)
	}
	if _, err := New(Options{Hosts: []*Host{e.host, e.host}}); err == nil {
		t.Fatal("two hosts with one name were accepted")
	}
}

func TestProbesAndStatic(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, path := range []string{"/healthz", "/readyz"} {
		req, _ := http.NewRequest(http.MethodGet, e.base+path, nil)
		req.Host = "10.0.0.1" // probes answer whatever the Host header
		if p := b.do(req); p.status != http.StatusOK {
			t.Fatalf("%s: %d", path, p.status)
		}
	}
	p := b.get("/static/style.css")
	if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/css") || p.header.Get("Cache-Control") != "public, no-cache" {
		t.Fatalf("style.css: %d %q %q", p.status, p.header.Get("Content-Type"), p.header.Get("Cache-Control"))
	}
	if p := b.get("/static/../../etc/passwd"); p.status != http.StatusNotFound {
		t.Fatalf("path escape: %d", p.status)
	}
	if p := b.get("/static/nope.css"); p.status != http.StatusNotFound {
		t.Fatalf("missing static: %d", p.status)
	}
}

func TestReadyzWhenStoreFails(t *testing.T) {
	e := newEnv(t)
	e.srv.ready = func(ctx context.Context) error {
		_, err := e.st.Users().Get(ctx, "test", "probe")
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	if p := e.browser().get("/readyz"); p.status != http.StatusOK {
		t.Fatalf("readyz with an open store: %d", p.status)
	}
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	if p := e.browser().get("/readyz"); p.status != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed store: %d, want 503", p.status)
	}
}

// TestReadyzWhenWritesRefused: while the store refuses writes (a full disk), /readyz is 503 and says why; the
// store logged the refusal once, so the probe does not log it again at every poll. Any other failure keeps its
// details in the log.
func TestReadyzWhenWritesRefused(t *testing.T) {
	logs := &testlog.Buffer{}
	e := newEnv(t, withLogger(slog.New(slog.NewTextHandler(logs, nil))))
	refused := fmt.Errorf("writes refused: the data directory's filesystem is nearly full: %w", store.ErrUnavailable)
	e.srv.ready = func(context.Context) error { return refused }
	for range 3 {
		p := e.browser().get("/readyz")
		if p.status != http.StatusServiceUnavailable || p.body != "not ready: "+refused.Error()+"\n" {
			t.Fatalf("readyz while writes are refused: %d %q", p.status, p.body)
		}
	}
	if strings.Contains(logs.String(), "not ready") {
		t.Fatalf("every readiness poll logged the refusal:\n%s", logs)
	}
	e.srv.ready = func(context.Context) error { return errors.New("badger: read /var/lib/assentry/000001.sst: EIO") }
	if p := e.browser().get("/readyz"); p.status != http.StatusServiceUnavailable || p.body != "not ready\n" {
		t.Fatalf("readyz with a failing store: %d %q (details belong in the log)", p.status, p.body)
	}
	if !strings.Contains(logs.String(), "EIO") {
		t.Fatalf("the failure was not logged:\n%s", logs)
	}
}

func TestCORS(t *testing.T) {
	e := newEnv(t, withCORS("https://app.example.com"))
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error { c.Locals(localsHost, e.host); return c.Next() })
	app.All("/oauth2/token", cors("POST"), func(c *fiber.Ctx) error { return c.SendString("{}") })
	tests := []struct {
		name, method, origin string
		wantStatus           int
		wantAllow            string
	}{
		{"preflight allowed", http.MethodOptions, "https://app.example.com", http.StatusNoContent, "https://app.example.com"},
		{"preflight refused", http.MethodOptions, "https://evil.example", http.StatusNoContent, ""},
		{"request allowed", http.MethodPost, "https://app.example.com", http.StatusOK, "https://app.example.com"},
		{"request other origin", http.MethodPost, "https://evil.example", http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/oauth2/token", nil)
			req.Header.Set("Origin", tt.origin)
			res, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tt.wantStatus || res.Header.Get("Access-Control-Allow-Origin") != tt.wantAllow {
				t.Fatalf("%d %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
			}
			if tt.method == http.MethodOptions && tt.wantAllow != "" && res.Header.Get("Access-Control-Allow-Methods") != "POST" {
				t.Fatal("no Allow-Methods on an allowed preflight")
			}
		})
	}
}
