package deploy_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ignoreRules reads the patterns of an ignore file (.containerignore syntax: one pattern a line, # comments). It
// accepts only the subset ignoreMatcher implements, so that the test never reads a pattern another way than a
// container engine would: no negation (!) and no character classes ([...]).
func ignoreRules(t *testing.T, file string) []*regexp.Regexp {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*regexp.Regexp
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.TrimSpace(sc.Text())
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		if strings.ContainsAny(p, "![\\") {
			t.Fatalf("%s: pattern %q is outside the syntax this test reads", file, p)
		}
		// As the engines do: the pattern is cleaned (a trailing or leading / goes) and matched from the context's
		// root; ** spans directories, * and ? stay within one.
		p = strings.TrimPrefix(path.Clean(p), "/")
		var re strings.Builder
		for i := 0; i < len(p); i++ {
			switch {
			case strings.HasPrefix(p[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(p[i:], "**"):
				re.WriteString(".*")
				i++
			case p[i] == '*':
				re.WriteString("[^/]*")
			case p[i] == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(p[i : i+1]))
			}
		}
		out = append(out, regexp.MustCompile("^"+re.String()+"$"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ignored reports whether rel (slash-separated, from the context's root) is left out of the build context: a
// pattern matches it or one of its parent directories.
func ignored(rules []*regexp.Regexp, rel string) bool {
	for p := rel; p != "." && p != ""; p = path.Dir(p) {
		for _, re := range rules {
			if re.MatchString(p) {
				return true
			}
		}
	}
	return false
}

// TestContainerIgnore: the Containerfile's build context (the repository's root) leaves out the history, a local
// data directory, test binaries, a built binary and node modules, and keeps every file the build reads: go.mod,
// go.sum, and the Go and embedded files of every package of this module that cmd/assentry is built from.
// .dockerignore is the same file, for docker build.
func TestContainerIgnore(t *testing.T) {
	root := repoRoot(t)
	file := filepath.Join(root, ".containerignore")
	rules := ignoreRules(t, file)
	if target, err := os.Readlink(filepath.Join(root, ".dockerignore")); err != nil || target != ".containerignore" {
		t.Errorf(".dockerignore should link to .containerignore: %q %v", target, err)
	}
	if !strings.Contains(readExample(t, "Containerfile"), "COPY . .") {
		t.Fatal("the Containerfile no longer copies the whole context: review what .containerignore is for")
	}
	for _, rel := range []string{".git/HEAD", ".git/objects/ab/cdef", "data/MANIFEST", "data/wasm-cache/x.bin",
		"cmd/assentry/assentry.test", "core/oauth/oauth.test", "cpu.prof", "assentry", "cmd/assentry/assentry",
		"node_modules/axe-core/axe.js", "themes/default/node_modules/x/index.js", "deploy/data/000001.vlog",
		".env", "examples/config/.env", "assentry.yaml"} {
		if !ignored(rules, rel) {
			t.Errorf("%s is sent to the build: .containerignore should leave it out", rel)
		}
	}

	cmd := exec.Command("go", "list", "-deps", "-json=Module,Dir,GoFiles,EmbedFiles", "./cmd/assentry")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	needed := []string{"go.mod", "go.sum"}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			Module              *struct{ Main bool }
			Dir                 string
			GoFiles, EmbedFiles []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || !p.Module.Main {
			continue // the standard library and the module cache: fetched by go mod download, not copied
		}
		dir, err := filepath.Rel(root, p.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range append(p.GoFiles, p.EmbedFiles...) {
			needed = append(needed, filepath.ToSlash(filepath.Join(dir, f)))
		}
	}
	if len(needed) < 100 {
		t.Fatalf("go list found only %d files of the build: %v", len(needed), needed)
	}
	for _, rel := range needed {
		if ignored(rules, rel) {
			t.Errorf("the build needs %s, which .containerignore leaves out", rel)
		}
	}
}
