package main

import (
	"log/slog"
	"net/http"
	"testing"
)

// TestPprofLoopbackOnly: profiles are served on a loopback address and refused anywhere else.
func TestPprofLoopbackOnly(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, addr := range []string{"0.0.0.0:0", ":0", "localhost:0", "192.0.2.1:6060", "127.0.0.1"} {
		if _, err := servePprof(addr, log); err == nil {
			t.Errorf("servePprof(%q) accepted a non-loopback or malformed address", addr)
		}
	}
	a, err := servePprof("127.0.0.1:0", log)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + a.String() + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /debug/pprof/cmdline = %d, want 200", resp.StatusCode)
	}
}
