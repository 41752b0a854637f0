package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Bounds of TestBackupUnderLoad, counted rather than timed: the backup starts once backupStartAt tokens were
// acknowledged, and the load goes on until the backup command has returned (each worker stops after
// backupPerWorker requests at most, which fails the test if the backup has not returned by then).
const (
	backupWorkers   = 8
	backupStartAt   = 400
	backupPerWorker = 5000
	// testKEK seals the signing keys: the restored server must be given the same one.
	testKEK = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
)

// TestBackupUnderLoad takes a backup of a running server while workers issue client credentials tokens as
// fast as it answers, restores it into a new directory, starts a server on that one, and finds active at
// introspection every token whose 2xx arrived before the backup command started.
func TestBackupUnderLoad(t *testing.T) {
	e := newCLIEnv(t)
	e.appendConfig("grant_types: [authorization_code, refresh_token, client_credentials]\nkey_encryption_key: " + testKEK + "\n")
	srv := e.startServer()
	id, secret := e.addServiceClient("backup-load")
	base := "http://" + e.addr
	c := loopbackClient()

	var mu sync.Mutex
	var issued []string
	var failures []string
	var backedUp atomic.Bool
	start := make(chan struct{})
	var startOnce sync.Once
	var wg sync.WaitGroup
	for range backupWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range backupPerWorker {
				if backedUp.Load() {
					return
				}
				status, body, err := postForm(c, base+"/oauth2/token", id, secret, url.Values{"grant_type": {"client_credentials"}})
				var tok struct {
					AccessToken string `json:"access_token"`
				}
				if err != nil || status != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("token request: %d %s %v", status, body, err))
					mu.Unlock()
					return
				}
				mu.Lock()
				issued = append(issued, tok.AccessToken)
				if len(issued) == backupStartAt {
					startOnce.Do(func() { close(start) })
				}
				mu.Unlock()
			}
		}()
	}
	loadDone := make(chan struct{})
	go func() { wg.Wait(); close(loadDone) }()
	select {
	case <-start:
	case <-loadDone:
		t.Fatalf("the load ended before %d tokens: %v", backupStartAt, failures)
	}
	// Every token recorded so far had its 2xx before the backup command starts.
	mu.Lock()
	before := append([]string(nil), issued...)
	mu.Unlock()
	file := filepath.Join(e.dir, "under-load.backup")
	out := e.ok("", "backup", file)
	mu.Lock()
	during := len(issued) - len(before)
	mu.Unlock()
	backedUp.Store(true)
	<-loadDone
	if len(failures) > 0 {
		t.Fatalf("%d failed requests under load, first: %s", len(failures), failures[0])
	}
	if during == 0 {
		t.Fatal("no token was issued while the backup ran: the backup was not taken under load")
	}
	if !strings.Contains(out, "from the running server") || !strings.Contains(out, file) {
		t.Fatalf("backup output: %q", out)
	}
	t.Logf("%s; %d tokens acknowledged before it started, %d while it ran", strings.TrimSpace(out), len(before), during)
	srv.stop()

	// Restore into a new directory and serve it with the same configuration otherwise.
	restored := filepath.Join(e.dir, "restored")
	out = e.ok("", "restore", file, "--data-dir", restored)
	if !strings.Contains(out, "restored "+file+" into "+restored) {
		t.Fatalf("restore output: %q", out)
	}
	e.useDataDir(restored)
	e.startServer()
	c.CloseIdleConnections()
	inactive := 0
	for _, tok := range before {
		if !activeAt(t, c, base, id, secret, tok) {
			inactive++
		}
	}
	if inactive > 0 {
		t.Fatalf("%d of the %d tokens acknowledged before the backup started are not active after the restore", inactive, len(before))
	}
	// The restored server signs with the keys of the backup, sealed under the same key_encryption_key.
	if status, body, err := postForm(c, base+"/oauth2/token", id, secret, url.Values{"grant_type": {"client_credentials"}}); err != nil || status != http.StatusOK {
		t.Fatalf("issuing on the restored server: %d %s %v", status, body, err)
	}
}

// TestBackupStoppedAndRefusedRestores backs up a stopped data directory (to a file and to standard output) and
// checks what restore refuses: a non-empty directory (named), a foreign file, a damaged file, no --data-dir.
func TestBackupStoppedAndRefusedRestores(t *testing.T) {
	e := newCLIEnv(t)
	e.ok("correct horse battery\n", "user", "add", "alice", "--password-stdin")
	file := filepath.Join(e.dir, "stopped.backup")
	if out := e.ok("", "backup", file); !strings.Contains(out, "stopped, opened directly") {
		t.Fatalf("backup of a stopped directory: %q", out)
	}
	r := e.run("", "backup", "-")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "ASSENTRY BACKUP\n") || !strings.Contains(r.stderr, "to standard output") {
		t.Fatalf("backup to stdout: exit %d, stderr %s, stdout starts %q", r.code, r.stderr, r.stdout[:min(len(r.stdout), 20)])
	}
	fromStdout := filepath.Join(e.dir, "stdout.backup")
	if err := os.WriteFile(fromStdout, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(e.dir, "damaged.backup")
	data[len(data)/2] ^= 0x40
	if err := os.WriteFile(damaged, data, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{name: "non-empty directory", args: []string{"restore", file, "--data-dir", e.dataDir}, code: 1,
			want: []string{e.dataDir, "not empty"}},
		{name: "foreign file", args: []string{"restore", e.config, "--data-dir", filepath.Join(e.dir, "r1")}, code: 1,
			want: []string{"not an Assentry backup"}},
		{name: "damaged file", args: []string{"restore", damaged, "--data-dir", filepath.Join(e.dir, "r2")}, code: 1,
			want: []string{"damaged", "checksum"}},
		{name: "no --data-dir", args: []string{"restore", file}, code: 2, want: []string{"--data-dir"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run("", tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("%q does not say %q", r.stderr, w)
				}
			}
		})
	}
	// The backup written to standard output restores, and holds the user.
	restored := filepath.Join(e.dir, "from-stdout")
	e.ok("", "restore", fromStdout, "--data-dir", restored)
	e.useDataDir(restored)
	if out := e.ok("", "user", "list"); !strings.Contains(out, "alice") {
		t.Fatalf("user list on the restored directory:\n%s", out)
	}
}

// TestBackupAudited: a backup is an admin.action of op backup with its actor, whether the command opens a
// stopped directory itself or streams it from the running server over the admin socket (the admin API's is in
// TestAdminAPI).
func TestBackupAudited(t *testing.T) {
	e := newCLIEnv(t)
	path := filepath.Join(e.dir, "audit.log")
	e.appendConfig("audit:\n  file: " + path + "\n")
	want := map[string]string{"event": "admin.action", "op": "backup", "outcome": "ok", "host": "default",
		"actor": "uid:" + strconv.Itoa(os.Getuid())}
	backups := func() int {
		n := 0
		for _, l := range readAuditFile(t, path) {
			if hasLine([]map[string]any{l}, want) {
				n++
			}
		}
		return n
	}
	e.ok("", "backup", filepath.Join(e.dir, "stopped.backup"))
	if n := backups(); n != 1 {
		t.Fatalf("%d audit lines of the stopped directory's backup, want 1: %v", n, readAuditFile(t, path))
	}
	srv := e.startServer()
	if out := e.ok("", "backup", filepath.Join(e.dir, "running.backup")); !strings.Contains(out, "from the running server") {
		t.Fatalf("backup output: %q", out)
	}
	srv.stop()
	if n := backups(); n != 2 {
		t.Fatalf("%d audit lines after a backup over the admin socket, want 2: %v", n, readAuditFile(t, path))
	}
}
