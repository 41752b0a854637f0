package admin

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestListenAtConfiguredPath: a configured admin_socket in a directory like systemd's RuntimeDirectory (0755,
// owned by the service user) is served and dialled, the socket itself being 0600.
func TestListenAtConfiguredPath(t *testing.T) {
	s := newServices(t)
	run := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(run, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	path := filepath.Join(run, "admin.sock")
	if _, err := DialAt(path); !errors.Is(err, ErrNoServer) {
		t.Fatalf("DialAt without a server: %v", err)
	}
	srv, err := ListenAt(path, s, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if srv.Path() != path {
		t.Fatalf("listening on %s, want %s", srv.Path(), path)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket: %v %v", fi.Mode(), err)
	}
	cl, err := DialAt(path)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cl.Do(context.Background(), req(t, OpUserAdd, UserArgs{Username: "carol", Password: "correct horse battery"}))
	if err != nil || resp.Error != nil {
		t.Fatalf("%v %+v", err, resp.Error)
	}
	if err := srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket left after Close: %v", err)
	}
	if _, err := DialAt(path); !errors.Is(err, ErrNoServer) {
		t.Fatalf("DialAt after Close: %v", err)
	}
}

// TestListenAtCreatesDirectory: a missing directory is created, private.
func TestListenAtCreatesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "admin.sock")
	srv, err := ListenAt(path, newServices(t), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	fi, err := os.Stat(filepath.Dir(path))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("created directory: %v %v", fi.Mode(), err)
	}
}

// TestListenAtRefuses: places where another user could replace the socket, and a file that is not a socket,
// are refused before anything is bound.
func TestListenAtRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the socket path
		want  string
	}{
		{name: "world-writable directory", want: "others could replace the admin socket",
			setup: func(t *testing.T, dir string) string { chmod(t, dir, 0o777); return filepath.Join(dir, "a.sock") }},
		{name: "sticky world-writable directory, like /tmp", want: "others could replace the admin socket",
			setup: func(t *testing.T, dir string) string {
				chmod(t, dir, 0o777|os.ModeSticky)
				return filepath.Join(dir, "a.sock")
			}},
		{name: "group-writable directory", want: "others could replace the admin socket",
			setup: func(t *testing.T, dir string) string { chmod(t, dir, 0o775); return filepath.Join(dir, "a.sock") }},
		{name: "a regular file at the path", want: "exists and is not a socket",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "a.sock")
				if err := os.WriteFile(p, []byte("keep me"), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}},
		{name: "directory of another user", want: "neither us",
			setup: func(t *testing.T, dir string) string {
				if os.Geteuid() != 0 {
					t.Skip("giving a directory to another user needs root")
				}
				if err := os.Chown(dir, 4242, 4242); err != nil {
					t.Fatal(err)
				}
				return filepath.Join(dir, "a.sock")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := tt.setup(t, dir)
			srv, err := ListenAt(path, newServices(t), slog.New(slog.DiscardHandler))
			if err == nil {
				srv.Close(context.Background())
				t.Fatal("ListenAt accepted it")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to say %q", err, tt.want)
			}
			if b, err := os.ReadFile(path); err == nil && string(b) != "keep me" {
				t.Fatalf("the file at the path was changed: %q", b)
			}
		})
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// TestDialAtRefusesPlantedSocket: a root client trusts a service user's socket in that user's directory under a
// parent only root can write (a systemd RuntimeDirectory under /run), but not the same under a parent every user
// can create directories in (/tmp): another user could have made the directory first and listened there.
func TestDialAtRefusesPlantedSocket(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("sockets and directories of another user need root")
	}
	for _, tt := range []struct {
		name       string
		parentMode os.FileMode
		want       string // "" for a socket the client accepts
	}{
		{name: "under a root-owned 0755 parent, like /run", parentMode: 0o755},
		{name: "under a sticky world-writable parent, like /tmp", parentMode: 0o777 | os.ModeSticky,
			want: "other users can create directories"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			parent, err := os.MkdirTemp("", "as") // short: a socket path holds 107 bytes
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(parent) })
			chmod(t, parent, tt.parentMode)
			dir := filepath.Join(parent, "assentry")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "admin.sock")
			ln, err := net.Listen("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					c.Close()
				}
			}()
			for _, p := range []string{dir, path} {
				if err := os.Chown(p, 4242, 4242); err != nil {
					t.Fatal(err)
				}
			}
			_, err = DialAt(path)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("DialAt: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("DialAt = %v, want an error with %q", err, tt.want)
			}
		})
	}
}
