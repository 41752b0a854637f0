package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
)

// TestMoveHostBadgerToPostgres moves a host that a real server on Badger has served to PostgreSQL, as the
// README's "Moving a host from Badger to PostgreSQL" says, and checks that a server on PostgreSQL carries on
// where the Badger one stopped (moveHost).
func TestMoveHostBadgerToPostgres(t *testing.T) {
	dsn := postgresDB(t)
	moveHost(t, "the PostgreSQL database", func(e *cliEnv) { e.appendConfig("store: {backend: postgres, dsn: '" + dsn + "'}\n") })
}

// TestMoveHostBadgerToBadger is the same move into a new Badger data directory (which import creates).
func TestMoveHostBadgerToBadger(t *testing.T) {
	moveHost(t, "moved", func(e *cliEnv) { e.useDataDir(filepath.Join(e.dir, "moved")) })
}

// moveHost runs a real server on Badger that signs alice in (login and consent) in a browser, issues two token
// chains (one of them rotated), and has a static client and two registered clients, one banned; stops it, runs
// `assentry export`, lets target point the configuration at the new store, runs `assentry import` (a second one
// is refused) and starts a real server there. That server introspects the old access token as active, refreshes
// the old refresh token, refuses the rotated one, publishes exactly the old signing keys and no new one (an old
// id_token verifies against its JWKS), lets alice's browser authorize silently (her session and consent moved)
// and alice sign in with her password, authenticates the registered client's stateless client_id and refuses
// the banned one. The import's report names the store it wrote to, which contains where.
func moveHost(t *testing.T, where string, target func(e *cliEnv)) {
	e := newCLIEnv(t)
	e.enableRegistration()
	e.appendConfig("grant_types: [authorization_code, refresh_token]\nkey_encryption_key: " + testKEK + "\n")
	e.ok("crash round password\n", "user", "add", "alice", "--password-stdin")
	var creds map[string]string
	out := e.ok("", "client", "add", "--name", "App", "--client-id", "app", "--redirect-uri", crashRedirect,
		"--grant-type", "authorization_code", "--grant-type", "refresh_token", "--scope", "openid offline_access",
		"--introspect", "--json")
	if err := json.Unmarshal([]byte(out), &creds); err != nil || creds["client_secret"] == "" {
		t.Fatalf("client add: %q %v", out, err)
	}
	base := "http://" + e.addr
	cl := crashClient{base: base, id: "app", secret: creds["client_secret"], c: loopbackClient()}

	srv := e.startServer()
	b := newCrashBrowser(t, cl)
	first := signInAndRedeem(t, cl, b)
	second := signInAndRedeem(t, cl, b)
	if status, body, err := cl.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {second.RefreshToken}}, nil); err != nil || status != http.StatusOK {
		t.Fatalf("rotating the second chain's refresh token: %d %s %v", status, body, err)
	}
	registered, secret := register(t, base, "Kept")
	banned, bannedSecret := register(t, base, "Banned")
	e.ok("", "client", "revoke", banned, "--reason", "test")
	kids := jwksKIDs(t, cl)
	srv.stop()

	file := filepath.Join(e.dir, "default.jsonl")
	out = e.ok("", "export", "--host", "default", file)
	if !strings.Contains(out, "exported host default from "+e.dataDir+" to "+file) || !strings.Contains(out, "1 revoked client") ||
		!strings.Contains(out, "sealed under the key_encryption_key") {
		t.Fatalf("export: %q", out)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the export file: %v, mode %v; want 0600", err, fi.Mode())
	}

	target(e)
	out = e.ok("", "import", file)
	t.Logf("%s", out)
	if !strings.Contains(out, "imported host default (exported from badger") || !strings.Contains(out, "1 user,") ||
		!strings.Contains(out, where) {
		t.Fatalf("import: %q", out)
	}
	if r := e.run("", "import", file); r.code != 4 || !strings.Contains(r.stderr, "already holds records") || !strings.Contains(r.stderr, "--replace") {
		t.Fatalf("a second import: exit %d %s", r.code, r.stderr)
	}

	e.startServer()
	cl.c.CloseIdleConnections()
	if got := introspect(cl, first.AccessToken, true); got != "" {
		t.Errorf("the old access token after the move: %s", got)
	}
	if got := jwksKIDs(t, cl); !slices.Equal(got, kids) {
		t.Errorf("JWKS after the move: %v, want exactly the old keys %v", got, kids)
	}
	ctx := oidc.ClientContext(context.Background(), cl.c)
	provider, err := oidc.NewProvider(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: "app"}).Verify(ctx, first.IDToken); err != nil {
		t.Errorf("an id_token of the Badger server, verified at the PostgreSQL one: %v", err)
	}
	if code, status, err := b.silentCode(); err != nil || code == "" {
		t.Errorf("alice's browser after the move (her session and consent): %d %v", status, err)
	}
	if !loginOverHTTP(t, base, "alice", "crash round password") {
		t.Error("alice cannot sign in with her password after the move")
	}
	if status, body, err := cl.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}}, nil); err != nil || status != http.StatusOK {
		t.Errorf("the old refresh token after the move: %d %s %v", status, body, err)
	}
	if status, code := tokenStatus(t, base, registered, secret); status != http.StatusBadRequest || code != "invalid_grant" {
		t.Errorf("the registered client after the move: %d %s, want it authenticated (400 invalid_grant)", status, code)
	}
	if status, code := tokenStatus(t, base, banned, bannedSecret); status != http.StatusUnauthorized || code != "invalid_client" {
		t.Errorf("the banned client after the move: %d %s, want 401 invalid_client", status, code)
	}
	// Last: presenting a rotated refresh token is a reuse, which ends its chain (RFC 9700 §4.14.2).
	if status, body, err := cl.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {second.RefreshToken}}, nil); err != nil ||
		status != http.StatusBadRequest || !strings.Contains(body, "invalid_grant") {
		t.Errorf("the refresh token rotated before the move: %d %s %v, want invalid_grant", status, body, err)
	}
}

// issued is a code exchange's answer.
type issued struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
}

// signInAndRedeem gets a code from the signed-in browser and exchanges it at cl, which must answer with a
// refresh token and an id_token.
func signInAndRedeem(t *testing.T, cl crashClient, b *crashBrowser) issued {
	t.Helper()
	code, status, err := b.silentCode()
	if err != nil || code == "" {
		t.Fatalf("authorization: %d %v", status, err)
	}
	var tok issued
	if status, body, err := cl.post("/oauth2/token", exchangeForm(code), &tok); err != nil || status != http.StatusOK ||
		tok.RefreshToken == "" || tok.IDToken == "" {
		t.Fatalf("code exchange: %d %s %v", status, body, err)
	}
	return tok
}

// register registers a client over HTTP and returns its client_id and secret.
func register(t *testing.T, base, name string) (string, string) {
	t.Helper()
	res, err := http.Post(base+"/oauth2/register", "application/json", strings.NewReader(
		`{"client_name":"`+name+`","client_uri":"https://app.example.com/","redirect_uris":["https://app.example.com/cb"]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var reg struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.NewDecoder(res.Body).Decode(&reg); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("register %s: %d %v", name, res.StatusCode, err)
	}
	return reg.ClientID, reg.ClientSecret
}

// jwksKIDs returns the kids the server publishes, sorted.
func jwksKIDs(t *testing.T, cl crashClient) []string {
	t.Helper()
	res, err := cl.c.Get(cl.base + "/oauth2/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil || res.StatusCode != http.StatusOK || len(set.Keys) == 0 {
		t.Fatalf("JWKS: %d %v %+v", res.StatusCode, err, set)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KID)
	}
	slices.Sort(kids)
	return kids
}

// TestImportChecksTheFile: import refuses, before writing anything, a file whose signing keys the target's
// key_encryption_key does not open, a newer, truncated or foreign file, and a host the configuration lacks; export
// refuses a Badger data directory a server holds and a host the configuration lacks, and writes to standard output
// with its report on stderr; and a host imported under another id (--as, then again with --replace) is served
// there with its keys, sealed again for that id.
func TestImportChecksTheFile(t *testing.T) {
	src := newCLIEnv(t)
	src.appendConfig("key_encryption_key: " + testKEK + "\n")
	src.ok("crash round password\n", "user", "add", "alice", "--password-stdin")
	srv := src.startServer() // makes the signing keys
	kids := jwksKIDs(t, crashClient{base: "http://" + src.addr, c: loopbackClient()})
	file := filepath.Join(src.dir, "default.jsonl")
	if r := src.run("", "export", file); r.code != 1 || !strings.Contains(r.stderr, "a server is running") {
		t.Fatalf("export while the server holds the data directory: exit %d %s", r.code, r.stderr)
	}
	srv.stop()
	if r := src.run("", "export", "--host", "lab", file); r.code != 2 || !strings.Contains(r.stderr, `host "lab" is not in the configuration`) {
		t.Fatalf("export of a host not configured: exit %d %s", r.code, r.stderr)
	}
	src.ok("", "export", file)
	if r := src.run("", "export", "-"); r.code != 0 || !strings.HasPrefix(r.stdout, `{"format":"assentry-host-export","version":1,`) ||
		!strings.Contains(r.stderr, "to standard output") {
		t.Fatalf("export to standard output: exit %d\nstdout %.200s\nstderr %s", r.code, r.stdout, r.stderr)
	}

	good, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	variant := func(name, content string) string {
		p := filepath.Join(src.dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lines := strings.SplitAfter(string(good), "\n") // the last element is "", after the trailer's newline
	newer := variant("newer.jsonl", strings.Replace(string(good), `"version":1`, `"version":99`, 1))
	truncated := variant("truncated.jsonl", strings.Join(lines[:len(lines)-2], ""))

	dst := newCLIEnv(t)
	dst.appendConfig("key_encryption_key: " + testKEK + "\n")
	otherKEK := newCLIEnv(t)
	otherKEK.appendConfig("key_encryption_key: ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8\n")
	tests := []struct {
		name string
		e    *cliEnv
		args []string
		code int
		want string
	}{
		{"another key_encryption_key", otherKEK, []string{"import", file}, 1, "give host default the same key_encryption_key"},
		{"a newer version", dst, []string{"import", newer}, 2, "version 99"},
		{"truncated", dst, []string{"import", truncated}, 1, "truncated"},
		{"not an export", dst, []string{"import", src.config}, 2, "not an assentry host export"},
		{"--as a host not configured", dst, []string{"import", file, "--as", "lab"}, 2, "no such host"},
		{"--host", dst, []string{"--host", "default", "import", file}, 2, "--as ID"},
	}
	for _, tt := range tests {
		if r := tt.e.run("", tt.args...); r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: exit %d %s; want exit %d and %q", tt.name, r.code, r.stderr, tt.code, tt.want)
		}
	}
	for _, e := range []*cliEnv{dst, otherKEK} {
		if out := e.ok("", "user", "list", "--json"); strings.Contains(out, "alice") {
			t.Errorf("a refused import wrote users: %s", out)
		}
	}

	lab := newCLIEnv(t)
	lab.appendConfig("key_encryption_key: " + testKEK + "\nhosts:\n  - id: lab\n")
	if out := lab.ok("", "import", file, "--as", "lab"); !strings.Contains(out, "imported host default") || !strings.Contains(out, "into host lab") {
		t.Fatalf("import --as lab: %q", out)
	}
	if out := lab.ok("", "import", file, "--as", "lab", "--replace"); !strings.Contains(out, "deleted the ") || !strings.Contains(out, "(--replace)") {
		t.Fatalf("import --replace: %q", out)
	}
	lab.startServer()
	if got := jwksKIDs(t, crashClient{base: "http://" + lab.addr, c: loopbackClient()}); !slices.Equal(got, kids) {
		t.Errorf("JWKS of the host imported as lab: %v, want the exported keys %v", got, kids)
	}
	if !loginOverHTTP(t, "http://"+lab.addr, "alice", "crash round password") {
		t.Error("alice cannot sign in at the host imported as lab")
	}
}
