package main

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// shutdownGuard bounds the wait for the server to exit: far above its own bounds (15 s for requests, 10 s for the
// store), so it only catches a shutdown that never ends.
const shutdownGuard = 90 * time.Second

// TestShutdownWhenStoreCannotFlush: the real binary serves and acknowledges tokens, then its data directory is
// removed, so Badger cannot flush its memtable when it closes (it would retry for ever). SIGTERM must still end the
// process, with a non-zero status and the reason on stderr.
func TestShutdownWhenStoreCannotFlush(t *testing.T) {
	e := newCLIEnv(t)
	e.appendConfig("grant_types: [authorization_code, refresh_token, client_credentials]\n")
	srv := e.startServer()
	id, secret := e.addServiceClient("shutdown")
	c := loopbackClient()
	for range 2 {
		status, body, err := postForm(c, "http://"+e.addr+"/oauth2/token", id, secret,
			url.Values{"grant_type": {"client_credentials"}})
		if err != nil || status != http.StatusOK {
			t.Fatalf("token: %d %s %v", status, body, err)
		}
	}

	if err := os.RemoveAll(e.dataDir); err != nil {
		t.Fatal(err)
	}
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	var exitErr error
	select {
	case exitErr = <-srv.done:
	case <-time.After(shutdownGuard):
		t.Fatalf("the server did not exit within %s of SIGTERM\n%s", shutdownGuard, srv.log)
	}
	var ee *exec.ExitError
	if !errors.As(exitErr, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit after SIGTERM with an unwritable data directory: %v, want exit status 1\n%s", exitErr, srv.log)
	}
	const want = "assentry: closing the store: badger: close did not finish in 10s: the data directory may be unwritable"
	if !strings.Contains(srv.log.String(), want) {
		t.Fatalf("stderr does not say %q:\n%s", want, srv.log)
	}
}
