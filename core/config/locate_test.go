package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDataDir(t *testing.T) {
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
		wantErr bool
	}{
		{name: "no file", noFile: true, want: DefaultDataDir},
		{name: "from the file", content: "data_dir: /srv/a\n", want: "/srv/a"},
		{name: "the rest of the file has problems", content: "data_dir: /srv/a\nacess_token_ttl: [1\n", wantErr: true},
		{name: "other keys wrong, data_dir found", content: "data_dir: /srv/a\nacess_token_ttl: 1h\nargon2: {memory: x}\n", want: "/srv/a"},
		{name: "the environment wins", content: "data_dir: /srv/a\n", env: []string{"ASSENTRY_DATA_DIR=/srv/b"}, want: "/srv/b"},
		{name: "not set", content: "listen: 127.0.0.1:1\n", want: DefaultDataDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if !tt.noFile {
				path = file(tt.content)
			}
			got, err := DataDir(path, tt.env)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("DataDir = %q, %v; want %q (error: %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
