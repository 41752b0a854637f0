package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestVersion builds the binary as a release is built (-ldflags -X main.version=...) and checks `assentry
// version` against what the Go toolchain recorded in that binary (go version -m): the commit and its date when
// the build was made in a git checkout (and "unknown" otherwise), and with --verbose every dependency module.
func TestVersion(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "assentry")
	if out, err := exec.Command("go", "build", "-ldflags", "-X main.version=v1.2.3-test", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	recorded, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	var deps []string
	for _, line := range strings.Split(string(recorded), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "build":
			k, v, _ := strings.Cut(f[1], "=")
			settings[k] = v
		case len(f) >= 3 && f[0] == "dep":
			deps = append(deps, f[1]+" "+f[2])
		}
	}
	run := func(args ...string) string {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("assentry %v: %v", args, err)
		}
		return string(out)
	}
	commit, date := "unknown", "unknown"
	if rev := settings["vcs.revision"]; rev != "" {
		commit, date = rev, settings["vcs.time"]
		if settings["vcs.modified"] == "true" {
			commit += "-dirty"
		}
	}
	out := run("version")
	fields := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		k, v, _ := strings.Cut(line, ":")
		fields[k] = strings.TrimSpace(v)
	}
	if first := strings.SplitN(out, "\n", 2)[0]; first != "assentry v1.2.3-test" {
		t.Errorf("first line %q", first)
	}
	want := map[string]string{"commit": commit, "date": date, "go": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("%s: %q, want %q\n%s", k, fields[k], v, out)
		}
	}
	if strings.Contains(out, "dependencies") {
		t.Errorf("dependencies without --verbose:\n%s", out)
	}
	verbose := run("version", "--verbose")
	if len(deps) == 0 || !strings.Contains(verbose, "dependencies:") {
		t.Fatalf("no dependencies recorded or printed:\n%s", verbose)
	}
	for _, d := range deps {
		path, v, _ := strings.Cut(d, " ")
		if !strings.Contains(verbose, "  "+path+" ") || !strings.Contains(verbose, v) {
			t.Errorf("--verbose lacks %s %s", path, v)
		}
	}
}
