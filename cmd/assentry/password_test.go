package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPasswordPolicyCLI sets passwords with the CLI, no server running: NIST SP 800-63B-4 §3.1.1.2's minimum of
// 15 characters, the built-in blocklist checks and an operator's blocklist file, each refused with exit status 2
// and a message naming the rule and the minimum, never the password.
func TestPasswordPolicyCLI(t *testing.T) {
	e := newCLIEnv(t)
	list := filepath.Join(e.dir, "compromised.txt")
	if err := os.WriteFile(list, []byte("Purple Giraffe Dance\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.appendConfig("password_policy:\n  blocklist_file: " + list + "\n")

	r := e.run("a\n", "user", "add", "bob", "--password-stdin")
	if want := "assentry: password refused: it has 1 character; a password needs at least 15 characters"; r.code != 2 ||
		!strings.HasPrefix(r.stderr, want) {
		t.Fatalf("a one-character password: exit %d, stderr %q, want 2 and %q", r.code, r.stderr, want)
	}
	if out := e.ok("", "user", "list", "--json"); strings.Contains(out, "bob") {
		t.Fatalf("the refused user was added: %s", out)
	}
	e.ok("glass tiger 015\n", "user", "add", "bob", "--password-stdin") // exactly 15 characters
	tests := []struct {
		name, pw, want string
	}{
		{"14 characters", "glass tiger 14", "it has 14 characters"},
		{"on the blocklist file, other case", "PURPLE GIRAFFE DANCE", "it is on the list of compromised passwords"},
		{"contains the username", "Bob the builder 2026", "it contains the username"},
		{"contains the site name", "my cli test password", "it contains the site name"},
		{"a keyboard row", "qwertyuiopasdfghjkl", "a sequence of consecutive characters or keyboard keys"},
		{"one character repeated", strings.Repeat("x", 20), "a short run of characters repeated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(tt.pw+"\n", "user", "passwd", "bob", "--password-stdin")
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "at least 15 characters") {
				t.Fatalf("exit %d, stderr %q; want 2, %q and the minimum", r.code, r.stderr, tt.want)
			}
			if strings.Contains(strings.ToLower(r.stderr), strings.ToLower(tt.pw)) {
				t.Fatalf("the message echoes the password: %q", r.stderr)
			}
		})
	}
	e.ok("a different passphrase\n", "user", "passwd", "bob", "--password-stdin")
	// Bytes that are not UTF-8 would be replaced on the way to the server: refused before they leave.
	if r := e.run("latin-1 caf\xe9 password\n", "user", "passwd", "bob", "--password-stdin"); r.code != 2 ||
		!strings.Contains(r.stderr, "not valid UTF-8") {
		t.Fatalf("a Latin-1 password: exit %d, %s", r.code, r.stderr)
	}
}

// longPassword is a password of exactly n bytes that no blocklist check refuses, with two-byte characters in it,
// so that its byte and character counts differ.
func longPassword(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n-16; i++ {
		fmt.Fprintf(&b, "é-%d lang ", i)
	}
	for i := 0; b.Len() < n; i++ {
		b.WriteByte("zyxwvutsrq"[i%10])
	}
	return b.String()
}

// TestPasswordLengthsCLI: NIST SP 800-63B-4 §3.1.1.2 has verifiers accept passwords of at least 64 characters.
// Passwords of 64 characters and of 1024 bytes (the most a login reads) are set with `user add --password-stdin`
// and sign in on the login page of a running server; 1025 bytes are refused, and so is a 65th character when
// password_policy.max_length is 64.
func TestPasswordLengthsCLI(t *testing.T) {
	e := newCLIEnv(t)
	pw64 := "a passphrase of sixty-four characters, typed with care: 1234 ok!"
	pw1024 := longPassword(1024)
	if n := len([]rune(pw64)); n != 64 || len(pw1024) != 1024 || len([]rune(pw1024)) >= 1024 {
		t.Fatalf("test passwords: %d characters; %d bytes, %d characters", n, len(pw1024), len([]rune(pw1024)))
	}
	e.ok(pw64+"\n", "user", "add", "carol", "--password-stdin")
	e.ok(pw1024+"\n", "user", "add", "dave", "--password-stdin")
	if r := e.run(longPassword(1025)+"\n", "user", "add", "erin", "--password-stdin"); r.code != 2 ||
		!strings.Contains(r.stderr, "it is longer than 1024 bytes") {
		t.Fatalf("a 1025-byte password: exit %d, %s", r.code, r.stderr)
	}
	srv := e.startServer()
	base := "http://" + e.addr
	if !loginOverHTTP(t, base, "carol", pw64) || !loginOverHTTP(t, base, "dave", pw1024) {
		t.Fatal("a 64-character or a 1024-byte password does not sign in")
	}
	if loginOverHTTP(t, base, "dave", pw1024[:1023]) {
		t.Fatal("a 1024-byte password signs in with its last byte missing")
	}
	srv.stop()

	e.appendConfig("password_policy:\n  max_length: 64\n")
	e.ok(pw64+"\n", "user", "passwd", "carol", "--password-stdin")
	if r := e.run(pw64+"!\n", "user", "passwd", "carol", "--password-stdin"); r.code != 2 ||
		!strings.Contains(r.stderr, "it has 65 characters, more than the 64 allowed") {
		t.Fatalf("65 characters with max_length 64: exit %d, %s", r.code, r.stderr)
	}
}

// TestPasswordPolicyConfigErrors: a minimum below 8 and a missing blocklist file stop every command at load.
func TestPasswordPolicyConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"min_length 7", "password_policy:\n  min_length: 7\n", "password_policy.min_length: 7 is below 8"},
		{"missing blocklist file", "password_policy:\n  blocklist_file: /nonexistent/compromised.txt\n",
			`password_policy.blocklist_file: "/nonexistent/compromised.txt": no such file or directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newCLIEnv(t)
			e.appendConfig(tt.yaml)
			if r := e.run("", "user", "list"); r.code == 0 || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want an error with %q", r.code, r.stderr, tt.want)
			}
		})
	}
}

// TestPasswordPolicyServe runs the server with min_length 10 and a blocklist file: the start-up log warns about
// the minimum; the admin API answers a short password with 400 invalid; the CLI over the admin socket gets
// exit status 2; and a reload re-reads the blocklist file.
func TestPasswordPolicyServe(t *testing.T) {
	e := newCLIEnv(t)
	list := filepath.Join(e.dir, "compromised.txt")
	if err := os.WriteFile(list, []byte("first leaked one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	adminAddr := freeAddr(t)
	e.appendConfig("admin_listen: " + adminAddr + "\npassword_policy:\n  min_length: 10\n  blocklist_file: " + list + "\n")
	write := strings.TrimSpace(e.ok("", "admin-token", "create", "--name", "ops", "--scope", "write"))
	srv := e.startServer()
	if log := srv.log.String(); !strings.Contains(log, `"path":"password_policy.min_length"`) ||
		!strings.Contains(log, `10 is below 15: NIST SP 800-63B-4 §3.1.1.2`) {
		t.Fatalf("no start-up warning about min_length 10:\n%s", log)
	}

	users := "http://" + adminAddr + "/v1/hosts/default/users"
	status, _, body := adminCall(t, http.MethodPost, users, write, map[string]any{"username": "alice", "password": "nine char"})
	if status != http.StatusBadRequest || !strings.Contains(string(body), `"invalid"`) ||
		!strings.Contains(string(body), "it has 9 characters; a password needs at least 10 characters") {
		t.Fatalf("a 9-character password over the admin API: %d %s", status, body)
	}
	adminJSON(t, http.MethodPost, users, write, map[string]any{"username": "alice", "password": "ten chars!"}, http.StatusCreated, nil)
	status, _, body = adminCall(t, http.MethodPut, users+"/alice/password", write, map[string]any{"password": "First Leaked One"})
	if status != http.StatusBadRequest || !strings.Contains(string(body), "compromised") {
		t.Fatalf("a blocklisted password over the admin API: %d %s", status, body)
	}

	// Over the admin socket, as an operator types it.
	if r := e.run("short\n", "user", "add", "bob", "--password-stdin"); r.code != 2 ||
		!strings.Contains(r.stderr, "it has 5 characters; a password needs at least 10 characters") {
		t.Fatalf("a short password over the admin socket: exit %d, %s", r.code, r.stderr)
	}
	e.ok("second leaked one\n", "user", "add", "bob", "--password-stdin")

	// The file is read again on reload: an entry added since is refused from then on.
	if err := os.WriteFile(list, []byte("first leaked one\nsecond leaked one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.ok("", "reload")
	if r := e.run("second leaked one\n", "user", "passwd", "alice", "--password-stdin"); r.code != 2 ||
		!strings.Contains(r.stderr, "compromised") {
		t.Fatalf("an entry added before the reload: exit %d, %s", r.code, r.stderr)
	}
	// Existing users keep logging in with a password the policy now refuses.
	if !loginOverHTTP(t, "http://"+e.addr, "bob", "second leaked one") {
		t.Fatal("bob cannot log in with the password set before the reload")
	}
	srv.stop()
}
