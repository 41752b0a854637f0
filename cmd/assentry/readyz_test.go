package main

import (
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadyzStalePluginServer runs the real server with a Lua plugin, breaks the plugin's file and reloads
// (SIGHUP): /readyz turns 503 naming the host and the plugin, never the file, while /healthz stays 200 and the
// previous version keeps serving; a good file makes it ready again.
func TestReadyzStalePluginServer(t *testing.T) {
	e := newCLIEnv(t)
	const good = `return {abi = 1, claims = function(req) return {claims = {}} end}`
	plugin := writeFile(t, e.dir, "claims.lua", good)
	e.appendConfig("policies:\n  - name: extra-claims\n    lua: " + plugin + "\n")
	srv := e.startServer()
	defer srv.stop()
	base := "http://" + e.addr
	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// until polls /readyz, reloading on SIGHUP each time, until its status is want (the file watch may have
	// reloaded first: either way the reload is asynchronous).
	until := func(want int) string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			_ = srv.cmd.Process.Signal(syscall.SIGHUP)
			code, body := get("/readyz")
			if code == want {
				return body
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz stayed %d %q, want %d\n%s", code, body, want, srv.log)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	until(http.StatusOK)
	writeFile(t, e.dir, "claims.lua", "return {abi = 1, claims = ")
	body := until(http.StatusServiceUnavailable)
	if !strings.Contains(body, "host default: policy plugin extra-claims is stale") || strings.Contains(body, "claims.lua") ||
		strings.Contains(body, e.dir) {
		t.Fatalf("/readyz with a stale plugin: %q", body)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz with a stale plugin: %d", code)
	}
	if code, _ := get("/.well-known/openid-configuration"); code != http.StatusOK {
		t.Fatalf("the server stopped serving with a stale plugin: %d", code)
	}
	writeFile(t, e.dir, "claims.lua", good+"\n-- fixed\n")
	until(http.StatusOK)
}
