package deploy_test

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unitWithBinary writes assentry.service into a temporary directory with ExecStart pointing at bin:
// systemd-analyze verify checks that the command exists and is executable.
func unitWithBinary(t *testing.T, bin string) string {
	t.Helper()
	unit := replaceAll(t, readExample(t, "assentry.service"), "ExecStart=/usr/local/bin/assentry ", "ExecStart="+bin+" ")
	return writeFile(t, filepath.Join(t.TempDir(), "assentry.service"), unit)
}

// TestSystemdUnitVerifies runs systemd-analyze verify on the unit, offline (no running systemd is needed).
// Unknown or misspelt directives are only warnings to it, so any output at all fails the test.
func TestSystemdUnitVerifies(t *testing.T) {
	sa := requireTool(t, "systemd-analyze")
	unit := unitWithBinary(t, releaseBinary(t))
	out, err := exec.Command(sa, "verify", "--man=no", unit).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	// The check itself catches a broken unit: the same unit with a typo must not pass.
	broken := writeFile(t, filepath.Join(t.TempDir(), "broken.service"),
		strings.Replace(readExample(t, unit), "ProtectSystem=strict", "ProtectSytem=strict", 1))
	if out, _ := exec.Command(sa, "verify", "--man=no", broken).CombinedOutput(); !strings.Contains(string(out), "ProtectSytem") {
		t.Fatalf("systemd-analyze verify did not report a misspelt directive:\n%s", out)
	}
}

// TestSystemdUnitHardening checks the unit's hardening directive by directive (each is explained in the unit and
// in the README's "Deployment"), then asks systemd's own assessment (systemd-analyze security, offline) for an
// exposure of at most 2.0, "OK" on its scale.
func TestSystemdUnitHardening(t *testing.T) {
	got := unitDirectives(t, readExample(t, "assentry.service"))
	want := []struct{ key, value string }{
		{"User", "assentry"},
		{"StateDirectory", "assentry"},
		{"StateDirectoryMode", "0700"},
		{"RuntimeDirectory", "assentry"},
		{"RuntimeDirectoryMode", "0755"},
		{"UMask", "0077"},
		{"LimitNOFILE", "65536"},
		{"ExecReload", "/bin/kill -HUP $MAINPID"},
		{"Restart", "on-failure"},
		{"NoNewPrivileges", "yes"},
		{"CapabilityBoundingSet", ""},
		{"AmbientCapabilities", ""},
		{"ProtectSystem", "strict"},
		{"ProtectHome", "yes"},
		{"PrivateTmp", "yes"},
		{"PrivateDevices", "yes"},
		{"ProtectKernelTunables", "yes"},
		{"ProtectKernelModules", "yes"},
		{"ProtectKernelLogs", "yes"},
		{"ProtectControlGroups", "yes"},
		{"RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"},
		{"RestrictNamespaces", "yes"},
		{"LockPersonality", "yes"},
		{"SystemCallFilter", "@system-service"},
		{"SystemCallArchitectures", "native"},
	}
	for _, w := range want {
		if !containsValue(got[w.key], w.value) {
			t.Errorf("%s=%s is missing (the unit has %s=%q)", w.key, w.value, w.key, got[w.key])
		}
	}
	// Left out on purpose, and the unit says why (TestMemoryDenyWriteExecute shows what it would do).
	if v, ok := got["MemoryDenyWriteExecute"]; ok {
		t.Errorf("MemoryDenyWriteExecute=%v: the wasm engine would lose its compiler; see the unit's comment", v)
	}
	if _, ok := got["DynamicUser"]; ok {
		t.Error("DynamicUser is set: the CLI must be able to run as the service's user (see the unit's comment)")
	}

	sa := requireTool(t, "systemd-analyze")
	unit := unitWithBinary(t, releaseBinary(t))
	out, err := exec.Command(sa, "security", "--offline=true", "--threshold=20", unit).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: exposure above 2.0 (%v):\n%s", err, out)
	}
	t.Logf("systemd-analyze security: %s", lastLine(string(out)))
}

// unitDirectives reads the [Service] section's directives; a directive given several times keeps every value.
func unitDirectives(t *testing.T, unit string) map[string][]string {
	t.Helper()
	m := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(unit))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "["):
			section = l
		case section == "[Service]":
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				t.Fatalf("not a directive: %q", l)
			}
			m[k] = append(m[k], v)
		}
	}
	return m
}

func containsValue(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestMemoryDenyWriteExecute is why the unit leaves MemoryDenyWriteExecute out. The server runs a wasm policy
// plugin twice: normally, wazero compiles it to native code, which it keeps in data_dir's compilation cache;
// under the kernel's memory-deny-write-execute (prctl PR_SET_MDWE, which systemd's directive also asks for on
// kernels that have it, and enforces with seccomp on older ones) code cannot be made executable, and wazero
// falls back to its interpreter: the server still starts and serves, but the plugin is interpreted and nothing is
// compiled. If wazero ever interprets by default, or fails instead of falling back, this test says so.
func TestMemoryDenyWriteExecute(t *testing.T) {
	probe := exec.Command(os.Args[0], "/bin/true")
	probe.Env = append(os.Environ(), mdweEnv+"=1")
	if out, err := probe.CombinedOutput(); err != nil {
		// A kernel feature, not a tool CI could install: skipped even under CI=true.
		t.Skipf("this kernel cannot forbid write-then-execute memory (PR_SET_MDWE needs Linux 6.3): %v %s", err, out)
	}
	bin := releaseBinary(t)
	plugin, err := filepath.Abs(filepath.Join("..", "policies", "consent-go", "consent.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		mdwe     bool
		compiled bool
	}{
		{name: "compiled without MDWE", mdwe: false, compiled: true},
		{name: "interpreted under MDWE", mdwe: true, compiled: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			addr := freeAddr(t)
			cfg := writeFile(t, filepath.Join(dir, "assentry.yaml"), fmt.Sprintf(`issuer: http://%s
listen: %s
data_dir: %s
admin_socket: %s
policies:
  - name: consent
    wasm: %s
    hooks: [consent]
`, addr, addr, filepath.Join(dir, "data"), filepath.Join(dir, "run", "admin.sock"), plugin))
			cmd := exec.Command(bin, "--config", cfg, "serve")
			if tt.mdwe {
				cmd = exec.Command(os.Args[0], bin, "--config", cfg, "serve")
				cmd.Env = append(os.Environ(), mdweEnv+"=1")
			}
			srv := start(t, cmd, `"msg":"listening"`)
			if err := srv.stop(t); err != nil {
				t.Fatalf("serve: %v\n%s", err, srv.log)
			}
			// wazero makes its versioned cache directory either way; compiled modules are the files in it.
			var files []string
			_ = filepath.WalkDir(filepath.Join(dir, "data", "wasm-cache"), func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					files = append(files, p)
				}
				return nil
			})
			if compiled := len(files) > 0; compiled != tt.compiled {
				t.Fatalf("compiled code in the cache: %v, want %v (%q)\n%s", compiled, tt.compiled, files, srv.log)
			}
		})
	}
}

// TestSysusers creates the unit's user from assentry.sysusers in an empty root directory, as systemd-sysusers
// does at boot or package installation, and checks it is the unit's User= and Group=, a system user without a
// login shell whose home is the StateDirectory.
func TestSysusers(t *testing.T) {
	tool := requireTool(t, "systemd-sysusers")
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	file, err := filepath.Abs("assentry.sysusers")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "--root="+root, file).CombinedOutput(); err != nil {
		t.Fatalf("systemd-sysusers: %v\n%s", err, out)
	}
	passwd := readExample(t, filepath.Join(root, "etc", "passwd"))
	unit := unitDirectives(t, readExample(t, "assentry.service"))
	var fields []string
	for _, l := range strings.Split(passwd, "\n") {
		if f := strings.Split(l, ":"); len(f) == 7 && containsValue(unit["User"], f[0]) {
			fields = f
		}
	}
	if fields == nil {
		t.Fatalf("no user %v in the passwd that systemd-sysusers wrote:\n%s", unit["User"], passwd)
	}
	if fields[5] != "/var/lib/assentry" || !strings.HasSuffix(fields[6], "nologin") {
		t.Errorf("user %s: home %s, shell %s", fields[0], fields[5], fields[6])
	}
	if !strings.Contains(readExample(t, filepath.Join(root, "etc", "group")), unit["Group"][0]+":") {
		t.Errorf("no group %v", unit["Group"])
	}
}
