package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// setChildEnv sets variables in the environment of the binaries started from now on, until the test ends.
func setChildEnv(t *testing.T, kv ...string) {
	t.Helper()
	saved := childEnv
	childEnv = append(append([]string(nil), childEnv...), kv...)
	t.Cleanup(func() { childEnv = saved })
}

// TestCLIAdminSocketPrivateTmp is the systemd deployment's situation: the server runs with a private temp
// directory (PrivateTmp=yes) and the CLI, run by the operator, sees another one. With admin_socket in a
// RuntimeDirectory-like directory (0755) both read from the configuration, `user add` reaches the running server
// through it; without it, the CLI finds no socket and the store is locked by the server.
func TestCLIAdminSocketPrivateTmp(t *testing.T) {
	e := newCLIEnv(t)
	base := t.TempDir()
	serverTmp, cliTmp, run := filepath.Join(base, "server-tmp"), filepath.Join(base, "cli-tmp"), filepath.Join(base, "run")
	serverTmp2 := filepath.Join(base, "server-tmp-2") // the first server leaves its per-user directory behind
	for _, d := range []string{serverTmp, serverTmp2, cliTmp, run} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	socket := filepath.Join(run, "admin.sock")

	t.Run("without admin_socket the CLI cannot reach the server", func(t *testing.T) {
		setChildEnv(t, "TMPDIR="+serverTmp)
		srv := e.startServer()
		defer srv.stop()
		setChildEnv(t, "TMPDIR="+cliTmp)
		r := e.run("correct horse battery\n", "user", "add", "dave", "--password-stdin")
		if r.code == 0 || !strings.Contains(r.stderr, "in use by another process") {
			t.Fatalf("exit %d: the CLI should have found the store locked and no socket\n%s", r.code, r.stderr)
		}
	})

	e.appendConfig("admin_socket: " + socket + "\n")
	setChildEnv(t, "TMPDIR="+serverTmp2)
	srv := e.startServer()
	if !strings.Contains(srv.log.String(), `"admin_socket":"`+socket+`"`) {
		t.Fatalf("the server does not say it listens on %s:\n%s", socket, srv.log)
	}
	fi, err := os.Lstat(socket)
	if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin socket %s: %v %v", socket, fi, err)
	}
	if entries, _ := os.ReadDir(serverTmp2); len(entries) != 0 {
		t.Fatalf("the server still made something in its temp directory: %v", entries)
	}

	setChildEnv(t, "TMPDIR="+cliTmp)
	e.ok("correct horse battery\n", "user", "add", "erin", "--password-stdin", "--email", "erin@example.com")
	if out := e.ok("", "user", "list"); !strings.Contains(out, "erin") {
		t.Fatalf("user list over the socket:\n%s", out)
	}
	// The running server sees the user: it was added through the socket, not in the store behind its back.
	if !loginOverHTTP(t, "http://"+e.addr, "erin", "correct horse battery") {
		t.Fatal("could not log in as the user added over the configured admin socket")
	}
	// ASSENTRY_ADMIN_SOCKET overrides the file like every other key: another path is not the server's socket.
	setChildEnv(t, "ASSENTRY_ADMIN_SOCKET="+filepath.Join(run, "other.sock"))
	if r := e.run("", "user", "list"); r.code == 0 || !strings.Contains(r.stderr, "in use by another process") {
		t.Fatalf("with another admin socket in the environment: exit %d\n%s", r.code, r.stderr)
	}
	srv.stop()
	if _, err := os.Lstat(socket); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket left after a clean stop: %v", err)
	}
}
