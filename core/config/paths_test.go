package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRelativePaths checks every path-valued key: relative in the file, it is taken from the file's directory
// (at the top level, under hosts, and when inherited); absolute, or "stderr"/"off" for audit.file, it is kept;
// given in an ASSENTRY_* variable, it is kept as written (the working directory's).
func TestRelativePaths(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "etc")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "assentry.yaml")
	load := func(t *testing.T, doc string, env ...string) *Settings {
		t.Helper()
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		s, _, err := Load(path, append([]string{kekEnv}, env...))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	in := func(p string) string { return filepath.Join(dir, p) }
	const single = `
data_dir: var/db
theme: ./theme
audit: {file: log/audit.log}
policies:
  - {name: a, lua: policies/a.lua}
  - {name: b, wasm: ../b.wasm}
  - {name: c, lua: /opt/c.lua}
`
	const multi = `
theme: theme
audit: {file: audit.log}
policies: [{name: a, lua: a.lua}]
hosts:
  - {id: one, issuer: "https://one.example.com"}
  - id: two
    issuer: https://two.example.com
    theme: /srv/theme
    audit: {file: stderr}
    policies: [{name: t, wasm: two/t.wasm}]
  - {id: three, issuer: "https://three.example.com", theme: three/theme, audit: {file: "off"}}
`
	type host struct{ theme, audit, lua, wasm string }
	tests := []struct {
		name    string
		doc     string
		env     []string
		dataDir string
		hosts   []host // per host: theme, audit.file, first policy's lua and wasm
	}{
		{name: "single host", doc: single, dataDir: in("var/db"),
			hosts: []host{{theme: in("theme"), audit: in("log/audit.log"), lua: in("policies/a.lua")}}},
		{name: "environment overrides stay relative to the working directory", doc: single,
			env:     []string{"ASSENTRY_DATA_DIR=db", "ASSENTRY_THEME=t", "ASSENTRY_AUDIT__FILE=a.log"},
			dataDir: "db", hosts: []host{{theme: "t", audit: "a.log", lua: in("policies/a.lua")}}},
		{name: "hosts, own and inherited", doc: multi, dataDir: in("data"), hosts: []host{
			{theme: in("theme"), audit: in("audit.log"), lua: in("a.lua")},
			{theme: "/srv/theme", audit: AuditStderr, wasm: in("two/t.wasm")},
			{theme: in("three/theme"), lua: in("a.lua")},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := load(t, tt.doc, tt.env...)
			if s.DataDir != tt.dataDir {
				t.Errorf("data_dir %q, want %q", s.DataDir, tt.dataDir)
			}
			if len(s.Hosts) != len(tt.hosts) {
				t.Fatalf("%d hosts, want %d", len(s.Hosts), len(tt.hosts))
			}
			for i, want := range tt.hosts {
				h := s.Hosts[i]
				got := host{theme: h.Theme, audit: h.Audit.File, lua: h.Policies[0].Lua, wasm: h.Policies[0].Wasm}
				if got != want {
					t.Errorf("host %s: got %+v, want %+v", h.ID, got, want)
				}
			}
		})
	}
	if _, _, err := loadYAML(t, "audit: {file: logs/}\n", kekEnv); err == nil || !strings.Contains(err.Error(), "names a directory") {
		t.Errorf("a relative audit.file naming a directory: %v", err)
	}
	s := load(t, single)
	if got := []string{s.Hosts[0].Policies[1].Wasm, s.Hosts[0].Policies[2].Lua}; got[0] != filepath.Join(filepath.Dir(dir), "b.wasm") || got[1] != "/opt/c.lua" {
		t.Errorf("../b.wasm and /opt/c.lua resolve to %q", got)
	}
}

// TestDataDirOrigin checks how the data directory is derived and described, and when the place an older
// release would have used (relative to the working directory) is reported as Before.
func TestDataDirOrigin(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "assentry.yaml")
	here := filepath.Join(wd, "testdata-paths.yaml") // a file in the working directory: nothing moves
	tests := []struct {
		name       string
		file       string // "" for none
		doc        string
		env        []string
		want       string
		from       []string // substrings of Origin.From
		wantBefore string
	}{
		{name: "no file", want: DefaultDataDir, from: []string{`the default "./data"`, "relative to the working directory " + wd, "no configuration file"}},
		{name: "default beside the file", file: elsewhere, doc: "listen: 127.0.0.1:1\n",
			want:       filepath.Join(filepath.Dir(elsewhere), "data"),
			from:       []string{`the default "./data"`, elsewhere + " sets no data_dir", "relative to that file's directory"},
			wantBefore: filepath.Join(wd, "data")},
		{name: "relative in the file", file: elsewhere, doc: "data_dir: db\n", want: filepath.Join(filepath.Dir(elsewhere), "db"),
			from: []string{`data_dir "db" in ` + elsewhere, "relative to that file's directory"}, wantBefore: filepath.Join(wd, "db")},
		{name: "relative in a file in the working directory", file: here, doc: "data_dir: db\n", want: filepath.Join(wd, "db"),
			from: []string{`data_dir "db" in ` + here}},
		{name: "absolute in the file", file: elsewhere, doc: "data_dir: /srv/db\n", want: "/srv/db", from: []string{`data_dir "/srv/db" in ` + elsewhere}},
		{name: "relative in the environment", file: elsewhere, doc: "data_dir: /srv/db\n", env: []string{"ASSENTRY_DATA_DIR=db"},
			want: "db", from: []string{`ASSENTRY_DATA_DIR "db", relative to the working directory ` + wd}},
		{name: "absolute in the environment", env: []string{"ASSENTRY_DATA_DIR=/srv/env"}, want: "/srv/env", from: []string{"ASSENTRY_DATA_DIR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.file != "" {
				if err := os.WriteFile(tt.file, []byte(tt.doc), 0o600); err != nil {
					t.Fatal(err)
				}
				defer os.Remove(tt.file)
			}
			s, _, err := Load(tt.file, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			loc, err := Locate(tt.file, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			o := s.DataDirOrigin
			if s.DataDir != tt.want || o.Before != tt.wantBefore {
				t.Errorf("data_dir %q, before %q; want %q, %q", s.DataDir, o.Before, tt.want, tt.wantBefore)
			}
			for _, f := range tt.from {
				if !strings.Contains(o.From, f) {
					t.Errorf("origin %q does not say %q", o.From, f)
				}
			}
			if loc.DataDir != s.DataDir || loc.DataDirOrigin != o {
				t.Errorf("Locate finds %q (%+v), Load %q (%+v)", loc.DataDir, loc.DataDirOrigin, s.DataDir, o)
			}
		})
	}
}

// TestRelativeBlocklistFile: password_policy.blocklist_file is a path like the others: taken from the file's
// directory, so the file is found whatever the working directory.
func TestRelativeBlocklistFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pwned.txt"), []byte("password1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "assentry.yaml")
	if err := os.WriteFile(path, []byte("password_policy: {blocklist_file: pwned.txt}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _, err := Load(path, []string{kekEnv})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Hosts[0].Passwords.BlocklistFile, filepath.Join(dir, "pwned.txt"); got != want {
		t.Fatalf("blocklist_file = %q, want %q", got, want)
	}
}
