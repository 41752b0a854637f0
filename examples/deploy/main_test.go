// Package deploy_test exercises the deployment examples of this directory with the real tools: the systemd unit
// with systemd-analyze, the proxy configurations with nginx and Caddy (checked, then run in front of a real
// server), the README's release build command, the Containerfile's build stage and the example configuration.
// A test whose tool is missing skips with a message, except under CI=true, where it fails.
package deploy_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/assentry/assentry/internal/testlog"
)

// mdweEnv marks a run of this test binary as a wrapper: it forbids itself memory that becomes executable
// (prctl PR_SET_MDWE, what systemd's MemoryDenyWriteExecute=yes asks of the kernel), which its children inherit,
// and executes its arguments.
const mdweEnv = "DEPLOY_TEST_MDWE_EXEC"

func TestMain(m *testing.M) {
	if os.Getenv(mdweEnv) != "" {
		if err := unix.Prctl(unix.PR_SET_MDWE, unix.PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0); err != nil {
			fmt.Fprintln(os.Stderr, "PR_SET_MDWE:", err)
			os.Exit(125)
		}
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, mdweEnv+"=") {
				env = append(env, kv)
			}
		}
		err := syscall.Exec(os.Args[1], os.Args[1:], env)
		fmt.Fprintln(os.Stderr, "exec:", err)
		os.Exit(126)
	}
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// requireTool returns the path of a command, or skips the test without it; under CI=true a missing tool fails
// the test instead (.ci/run installs them).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed, and CI=true: .ci/run must install it", name)
	}
	t.Skipf("%s is not installed (apt-get install %s); skipping", name, debianPackage(name))
	return ""
}

func debianPackage(tool string) string {
	if tool == "systemd-analyze" {
		return "systemd"
	}
	return tool
}

// repoRoot is the module's root, two levels up.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func readExample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replaceAll replaces each old string by its new one and fails the test when one is not found: a rewrite that
// silently matched nothing would test something else than the example.
func replaceAll(t *testing.T, s string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("the example no longer contains %q; update the test's rewrite", pairs[i])
		}
		s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
	}
	return s
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// selfSigned writes a throwaway certificate and key for names into dir and returns their paths and the
// certificate, to trust it.
func selfSigned(t *testing.T, dir string, names ...string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = writeFile(t, filepath.Join(dir, "cert.pem"), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	keyFile = writeFile(t, filepath.Join(dir, "key.pem"), string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})))
	return certFile, keyFile, cert
}

// process is a long-running child (assentry serve, nginx, caddy), stopped with SIGTERM when the test ends.
type process struct {
	cmd    *exec.Cmd
	log    *testlog.Buffer
	exited chan struct{} // closed when the child has exited; err is then its exit error
	err    error
}

// start runs cmd and waits until a line of its stderr contains ready (empty: only that it started). The wait is
// bounded so that a child that never gets ready fails the test instead of hanging it; it is not a measurement.
func start(t *testing.T, cmd *exec.Cmd, ready string) *process {
	t.Helper()
	p := &process{cmd: cmd, log: &testlog.Buffer{}, exited: make(chan struct{})}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = p.log, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		once := false
		for sc.Scan() {
			p.log.Write([]byte(sc.Text() + "\n"))
			if !once && strings.Contains(sc.Text(), ready) {
				once = true
				close(found)
			}
		}
	}()
	go func() { p.err = cmd.Wait(); pw.Close(); close(p.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	if ready == "" {
		return p
	}
	select {
	case <-found:
	case <-p.exited:
		t.Fatalf("%s exited before it was ready: %v\n%s", cmd.Path, p.err, p.log)
	case <-time.After(90 * time.Second):
		t.Fatalf("%s was not ready after 90 s\n%s", cmd.Path, p.log)
	}
	return p
}

// stop sends SIGTERM and returns the exit error.
func (p *process) stop(t *testing.T) error {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return p.err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Fatalf("%s did not stop after SIGTERM\n%s", p.cmd.Path, p.log)
	}
	return nil
}
