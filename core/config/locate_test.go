package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLocate(t *testing.T) {
	dir := t.TempDir()
	file := func(content string) string {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		content string // "" with noFile: no file at all
		noFile  bool
		env     []string
		want    string
		socket  string
		wantErr bool
	}{
		{name: "no file", noFile: true, want: DefaultDataDir},
		{name: "from the file", content: "data_dir: /srv/a\n", want: "/srv/a"},
		{name: "the rest of the file has problems", content: "data_dir: /srv/a\nacess_token_ttl: [1\n", wantErr: true},
		{name: "other keys wrong, data_dir found", content: "data_dir: /srv/a\nacess_token_ttl: 1h\nargon2: {memory: x}\n", want: "/srv/a"},
		{name: "the environment wins", content: "data_dir: /srv/a\n", env: []string{"ASSENTRY_DATA_DIR=/srv/b"}, want: "/srv/b"},
		{name: "not set: the default, beside the file", content: "listen: 127.0.0.1:1\n", want: filepath.Join(dir, "data")},
		{name: "relative: beside the file", content: "data_dir: var/db\n", want: filepath.Join(dir, "var", "db")},
		{name: "relative in the environment: as given", content: "data_dir: /srv/a\n", env: []string{"ASSENTRY_DATA_DIR=rel"}, want: "rel"},
		{name: "admin_socket from the file", content: "admin_socket: /run/a/s.sock\nlisten: [\n", wantErr: true},
		{name: "admin_socket", content: "admin_socket: /run/a/s.sock\n", want: filepath.Join(dir, "data"), socket: "/run/a/s.sock"},
		{name: "admin_socket from the environment", content: "admin_socket: /run/a/s.sock\n",
			env: []string{"ASSENTRY_ADMIN_SOCKET=/run/b/s.sock"}, want: filepath.Join(dir, "data"), socket: "/run/b/s.sock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if !tt.noFile {
				path = file(tt.content)
			}
			got, err := Locate(path, tt.env)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Locate = %+v, want an error", got)
				}
				return
			}
			if err != nil || got.DataDir != tt.want || got.AdminSocket != tt.socket {
				t.Fatalf("Locate = %+v, %v; want data_dir %q, admin_socket %q", got, err, tt.want, tt.socket)
			}
		})
	}
}
