package deploy_test

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// testVersion is the version the release builds of these tests are stamped with.
const testVersion = "v0.0.0-deploy-test"

// buildDir holds the release binary built once for every test here; TestMain removes it.
var (
	buildDir   string
	buildOnce  sync.Once
	releaseBin string
	buildErr   string
)

// buildCommand finds the one line of text that starts with "CGO_ENABLED=0 go build" and checks that it writes
// to out: the tests run it with only that output path changed.
func buildCommand(t *testing.T, text, where, out string) string {
	t.Helper()
	var found []string
	for _, l := range strings.Split(text, "\n") {
		if i := strings.Index(l, "CGO_ENABLED=0 go build "); i >= 0 {
			found = append(found, strings.TrimSpace(l[i:]))
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: want exactly one CGO_ENABLED=0 go build command, found %d: %q", where, len(found), found)
	}
	if !strings.Contains(found[0], " -o "+out+" ") {
		t.Fatalf("%s: the build command %q does not write -o %s", where, found[0], out)
	}
	return found[0]
}

// runBuild runs a build command with sh from the repository's root, its output redirected to bin and $VERSION
// set to testVersion, and returns what went wrong, if anything.
func runBuild(t *testing.T, command, out, bin string) string {
	t.Helper()
	command = strings.Replace(command, " -o "+out+" ", ` -o "$BIN" `, 1)
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "VERSION="+testVersion, "BIN="+bin)
	if b, err := cmd.CombinedOutput(); err != nil {
		return command + ": " + err.Error() + "\n" + string(b)
	}
	return ""
}

// releaseBinary builds assentry once with the README's release command; the other tests serve with it.
func releaseBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
		if err != nil {
			buildErr = err.Error()
			return
		}
		if buildDir, err = os.MkdirTemp("", "assentry-deploy-test"); err != nil {
			buildErr = err.Error()
			return
		}
		releaseBin = filepath.Join(buildDir, "assentry")
		buildErr = runBuild(t, buildCommand(t, string(readme), "README.md", "assentry"), "assentry", releaseBin)
	})
	if buildErr != "" {
		t.Fatalf("the README's release build failed: %s", buildErr)
	}
	return releaseBin
}

// TestReleaseBuild runs the README's release build command and checks what it promises: a static executable
// (no program interpreter, no shared library), trimmed (no symbol table, no path of the build machine) and
// stamped (assentry version prints the version given at build time).
func TestReleaseBuild(t *testing.T) {
	bin := releaseBinary(t)
	checkStatic(t, bin)
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("assentry version: %v", err)
	}
	if first, _, _ := strings.Cut(string(out), "\n"); !strings.Contains(first, testVersion) {
		t.Fatalf("assentry version printed %q; want the stamp %q on its first line", out, testVersion)
	}
}

func checkStatic(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has a program interpreter (PT_INTERP): it is dynamically linked")
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary needs shared libraries (DT_NEEDED) %v %v", libs, err)
	}
	if f.Section(".symtab") != nil || f.Section(".debug_info") != nil {
		t.Error("the binary has a symbol table or DWARF: -s -w was not applied")
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(repoRoot(t))) {
		t.Errorf("the binary contains the build directory %s: -trimpath was not applied", repoRoot(t))
	}
}

// TestContainerfile checks the Containerfile without a container engine (none is needed to run the tests): its
// build stage runs the README's release command, for real here, and its final stage is the minimal, non-root
// image with the data volume that the README describes. Its environment loads (TestExampleConfig).
func TestContainerfile(t *testing.T) {
	cf := readExample(t, "Containerfile")
	readme := readExample(t, filepath.Join(repoRoot(t), "README.md"))
	cmd := buildCommand(t, cf, "Containerfile", "/out/assentry")
	if want := strings.Replace(buildCommand(t, readme, "README.md", "assentry"), " -o assentry ", " -o /out/assentry ", 1); cmd != want {
		t.Errorf("the Containerfile builds with\n  %s\nbut the README's release command is\n  %s", cmd, want)
	}
	bin := filepath.Join(t.TempDir(), "assentry")
	if msg := runBuild(t, cmd, "/out/assentry", bin); msg != "" {
		t.Fatalf("the Containerfile's build command failed: %s", msg)
	}
	checkStatic(t, bin)

	stages := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(cf, -1)
	if len(stages) != 2 {
		t.Fatalf("want a build stage and a final stage, found %d FROM lines", len(stages))
	}
	// The builder's Go is the one go.mod asks for (its major.minor), so that the image builds what CI tests.
	gomod := readExample(t, filepath.Join(repoRoot(t), "go.mod"))
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(gomod)
	if m == nil || !strings.HasPrefix(stages[0][1], "docker.io/library/golang:"+m[1]+"-") {
		t.Errorf("build stage %s: want golang:%v-… as in go.mod", stages[0][1], m)
	}
	if final := stages[1][1]; final != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final stage %s: the README promises distroless/static (CA certificates, /tmp, nonroot)", final)
	}
	final := cf[strings.LastIndex(cf, "\nFROM "):]
	for _, want := range []string{
		"\nUSER 65532:65532\n",
		"\nVOLUME /var/lib/assentry\n",
		"--chown=65532:65532 /out/data /var/lib/assentry\n",
		`ENTRYPOINT ["/usr/local/bin/assentry"]`,
	} {
		if !strings.Contains(final, want) {
			t.Errorf("the final stage lacks %q", strings.TrimSpace(want))
		}
	}
}
