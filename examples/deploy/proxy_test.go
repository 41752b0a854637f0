package deploy_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The name the examples serve; the tests' client connects to the proxy whatever the name resolves to.
const (
	exampleName   = "auth.example.com"
	exampleIssuer = "https://" + exampleName
	// clientAddr is the address the tests' client connects from: another loopback address than the proxy's,
	// so that the server's log shows whether it took the client's address from X-Forwarded-For.
	clientAddr = "127.0.0.2"
)

// nginxMain is a complete nginx configuration around the example's server blocks, for nginx -t and for running
// nginx in the foreground as an unprivileged test fixture (every path in dir).
func nginxMain(t *testing.T, dir, site string) string {
	t.Helper()
	return writeFile(t, filepath.Join(dir, "nginx.conf"), fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events {}
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[2]s;
}
`, dir, site))
}

// nginxSite is the example with its certificate placeholders replaced by a throwaway certificate, and the extra
// rewrites (old, new, ...).
func nginxSite(t *testing.T, dir, certFile, keyFile string, extra ...string) string {
	t.Helper()
	site := replaceAll(t, readExample(t, "nginx.conf"), append([]string{
		"/etc/letsencrypt/live/auth.example.com/fullchain.pem", certFile,
		"/etc/letsencrypt/live/auth.example.com/privkey.pem", keyFile,
	}, extra...)...)
	return writeFile(t, filepath.Join(dir, "assentry-site.conf"), site)
}

// TestNginxConfig checks the example with nginx -t, included in an http block as Debian's sites-enabled are.
func TestNginxConfig(t *testing.T) {
	nginx := requireTool(t, "nginx")
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir, exampleName)
	main := nginxMain(t, dir, nginxSite(t, dir, certFile, keyFile))
	out, err := exec.Command(nginx, "-t", "-q", "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", main).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
}

// caddyEnv keeps Caddy's own files (certificates, autosave) in dir.
func caddyEnv(dir string) []string {
	return append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
}

// TestCaddyfile checks the example with caddy validate, and that Caddy has no warning about it (an unnecessary
// header_up, for instance).
func TestCaddyfile(t *testing.T) {
	caddy := requireTool(t, "caddy")
	dir := t.TempDir()
	cmd := exec.Command(caddy, "validate", "--config", "Caddyfile", "--adapter", "caddyfile")
	cmd.Env = caddyEnv(dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Valid configuration") {
		t.Fatalf("caddy validate: %v\n%s", err, out)
	}
	cmd = exec.Command(caddy, "adapt", "--config", "Caddyfile", "--adapter", "caddyfile")
	cmd.Env = caddyEnv(dir)
	out, err = cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), `"level":"warn"`) {
		t.Fatalf("caddy adapt: %v\n%s", err, out)
	}
}

// exampleServer runs the release binary with the systemd example's assentry.yaml, the client credentials grant
// added for the token request, its paths moved into a temporary directory through ASSENTRY_* variables. It
// returns the server, its address and a confidential client added with the CLI over admin_socket.
func exampleServer(t *testing.T) (srv *process, addr, clientID, secret string) {
	t.Helper()
	bin := releaseBinary(t)
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	if err := os.Mkdir(run, 0o755); err != nil { // as systemd's RuntimeDirectory
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(dir, "assentry.yaml"),
		readExample(t, "assentry.yaml")+"\ngrant_types: [authorization_code, refresh_token, client_credentials]\n")
	addr = freeAddr(t)
	env := append(os.Environ(), kek, "ASSENTRY_LISTEN="+addr, "ASSENTRY_DATA_DIR="+filepath.Join(dir, "data"),
		"ASSENTRY_ADMIN_SOCKET="+filepath.Join(run, "admin.sock"))
	cmd := exec.Command(bin, "--config", cfg, "serve")
	cmd.Env = env
	srv = start(t, cmd, `"msg":"listening"`)

	add := exec.Command(bin, "--config", cfg, "client", "add", "--name", "Service", "--grant-type", "client_credentials", "--json")
	add.Env = env
	out, err := add.Output()
	if err != nil {
		t.Fatalf("client add over the admin socket: %v %s", err, out)
	}
	var creds struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal(out, &creds); err != nil || creds.ClientSecret == "" {
		t.Fatalf("client add: %q %v", out, err)
	}
	return srv, addr, creds.ClientID, creds.ClientSecret
}

// proxyClient talks to the proxy at proxyAddr for any URL, from clientAddr, trusting cert (nil: plain HTTP only).
func proxyClient(proxyAddr string, cert *x509.Certificate) *http.Client {
	roots := x509.NewCertPool()
	if cert != nil {
		roots.AddCert(cert)
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(clientAddr)}, Timeout: 10 * time.Second}
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, proxyAddr)
			},
			TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: exampleName},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// waitTCP waits until something accepts connections at addr (a proxy started in the background), bounded so
// that a proxy that never listens fails the test rather than hanging it.
func waitTCP(t *testing.T, p *process, addr string) {
	t.Helper()
	for i := 0; i < 300; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		select {
		case <-p.exited:
			t.Fatalf("%s exited: %v\n%s", p.cmd.Path, p.err, p.log)
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("nothing listens on %s\n%s", addr, p.log)
}

// checkThroughProxy is what a proxy in front of the example server must achieve: discovery answers with the
// issuer, HSTS is sent because the proxy said https, the server logs the client's address (not the proxy's,
// and not one the client made up), and a token request succeeds.
func checkThroughProxy(t *testing.T, c *http.Client, srv *process, clientID, secret string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, exampleIssuer+"/.well-known/openid-configuration", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9") // a client's attempt to pass for another address
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("discovery through the proxy: %d %s", res.StatusCode, body)
	}
	var meta struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.Unmarshal(body, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Issuer != exampleIssuer || meta.TokenEndpoint != exampleIssuer+"/oauth2/token" {
		t.Errorf("discovery: issuer %q, token_endpoint %q", meta.Issuer, meta.TokenEndpoint)
	}
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no Strict-Transport-Security: the server did not believe the proxy's X-Forwarded-Proto: https")
	}
	if n := len(res.Header.Values("Strict-Transport-Security")); n > 1 {
		t.Errorf("%d Strict-Transport-Security headers: the proxy adds its own", n)
	}
	id := res.Header.Get("X-Request-ID")
	// The server's log reaches the test through a pipe from its process: the line may arrive after the answer.
	line := ""
	for deadline := time.Now().Add(10 * time.Second); line == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, l := range strings.Split(srv.log.String(), "\n") {
			if id != "" && strings.Contains(l, `"request_id":"`+id+`"`) && strings.Contains(l, `"msg":"request"`) {
				line = l
			}
		}
	}
	if !strings.Contains(line, `"ip":"`+clientAddr+`"`) || !strings.Contains(line, `"host":"default"`) {
		t.Errorf("the server's log line for request %q should have the client's address %s and the host:\n%s\n%s",
			id, clientAddr, line, srv.log)
	}

	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ = http.NewRequest(http.MethodPost, meta.TokenEndpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "bearer") {
		t.Fatalf("token request through the proxy: %d %s", res.StatusCode, body)
	}
}

// TestThroughNginx runs nginx with the example in front of a real server configured with the example
// configuration, and checks the forwarded headers end to end.
func TestThroughNginx(t *testing.T) {
	nginx := requireTool(t, "nginx")
	srv, addr, clientID, secret := exampleServer(t)
	dir := t.TempDir()
	httpsAddr, httpAddr := freeAddr(t), freeAddr(t)
	certFile, keyFile, cert := selfSigned(t, dir, exampleName)
	site := nginxSite(t, dir, certFile, keyFile,
		"listen 443 ssl;", "listen "+httpsAddr+" ssl;",
		"listen [::]:443 ssl;\n", "",
		"listen 80;", "listen "+httpAddr+";",
		"listen [::]:80;\n", "",
		"server 127.0.0.1:8080;", "server "+addr+";")
	proxy := start(t, exec.Command(nginx, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", nginxMain(t, dir, site)), "")
	waitTCP(t, proxy, httpsAddr)
	checkThroughProxy(t, proxyClient(httpsAddr, cert), srv, clientID, secret)
	checkPlainRedirect(t, httpAddr)
	checkDirectIgnoresHeaders(t, addr)
}

// checkPlainRedirect: plain HTTP at the proxy is redirected to https (RFC 6797 §7.2), not proxied.
func checkPlainRedirect(t *testing.T, httpAddr string) {
	t.Helper()
	c := proxyClient(httpAddr, nil)
	res, err := c.Get("http://" + exampleName + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode/100 != 3 || loc != exampleIssuer+"/.well-known/openid-configuration" {
		t.Fatalf("plain HTTP: %d to %q, want a redirect to https", res.StatusCode, loc)
	}
}

// checkDirectIgnoresHeaders is the control: the same headers sent to the server directly, by a peer that is not
// in trusted_proxies, are ignored (no HSTS over plain HTTP). So the HSTS seen through the proxy came from the
// proxy's X-Forwarded-Proto.
func checkDirectIgnoresHeaders(t *testing.T, addr string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+exampleName+"/.well-known/openid-configuration", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	res, err := proxyClient(addr, nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Strict-Transport-Security") != "" {
		t.Fatalf("direct request from %s with X-Forwarded-Proto: https: %d, HSTS %q; the header must be ignored",
			clientAddr, res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}
}

// TestThroughCaddy runs Caddy with the example (a throwaway certificate instead of one from an ACME CA, ports
// of its own on loopback) in front of a real server, and checks the forwarded headers end to end.
func TestThroughCaddy(t *testing.T) {
	caddy := requireTool(t, "caddy")
	srv, addr, clientID, secret := exampleServer(t)
	dir := t.TempDir()
	httpsAddr, httpAddr := freeAddr(t), freeAddr(t)
	certFile, keyFile, cert := selfSigned(t, dir, exampleName)
	_, httpsPort, _ := net.SplitHostPort(httpsAddr)
	_, httpPort, _ := net.SplitHostPort(httpAddr)
	global := fmt.Sprintf("{\n\tadmin off\n\thttp_port %s\n\thttps_port %s\n\tdefault_bind 127.0.0.1\n"+
		"\tstorage file_system %s\n\tskip_install_trust\n}\n", httpPort, httpsPort, filepath.Join(dir, "storage"))
	site := replaceAll(t, readExample(t, "Caddyfile"),
		"auth.example.com {\n", "auth.example.com {\n\ttls "+certFile+" "+keyFile+"\n",
		"reverse_proxy 127.0.0.1:8080", "reverse_proxy "+addr)
	file := writeFile(t, filepath.Join(dir, "Caddyfile"), global+site)
	cmd := exec.Command(caddy, "run", "--config", file, "--adapter", "caddyfile")
	cmd.Env = caddyEnv(dir)
	proxy := start(t, cmd, "")
	waitTCP(t, proxy, httpsAddr)
	checkThroughProxy(t, proxyClient(httpsAddr, cert), srv, clientID, secret)
	checkPlainRedirect(t, httpAddr)
}
