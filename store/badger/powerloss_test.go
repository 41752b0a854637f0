package badger_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/flakydisk"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger"
)

// The power-loss tests run their writer as a child process: this test binary again, with writerEnv set to
// "<data dir> <sync|nosync>" (the disk is served by the parent, which must not write to it itself).
const writerEnv = "ASSENTRY_POWERLOSS_WRITER"

// Bounds of the power-loss tests: counted, not timed.
const (
	plWorkers   = 16
	plPerWorker = 2000 // 32000 writes at most; the cut comes long before
	plCutAt     = 6000 // acknowledged tokens before the cut: past a memtable rotation and a flush to a table
	plRevokeOne = 10   // every tenth token is revoked right after it is acknowledged
	plHost      = "pl"
)

func TestMain(m *testing.M) {
	if v := os.Getenv(writerEnv); v != "" {
		os.Exit(powerLossWriter(v))
	}
	os.Exit(m.Run())
}

// powerLossWriter writes tokens from plWorkers goroutines, durably or not, and reports each acknowledged write
// on stdout, one line each, once its call has returned: "T id" a token stored, "r id" a revocation about to be
// sent, "R id" a revocation done. It runs until killed, or until the bounded work is done. Its memtable is 1 MiB,
// so that before the cut Badger has rotated its write-ahead log and flushed a memtable to a table, as a long
// running server does.
func powerLossWriter(arg string) int {
	dir, mode, _ := strings.Cut(arg, " ")
	s, err := badger.Open(context.Background(), badger.Options{Dir: dir, NoSync: mode == "nosync", Logger: quiet, GCInterval: -1, MemTableSize: 1 << 20})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 1
	}
	var mu sync.Mutex
	say := func(kind, id string) {
		mu.Lock()
		defer mu.Unlock()
		// One write(2) per line, unbuffered: what is said has been acknowledged, and survives the kill.
		_, _ = os.Stdout.WriteString(kind + " " + id + "\n")
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range plWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			now := time.Now()
			g := &store.Grant{ID: fmt.Sprint("g", w), Host: plHost, ClientID: "c", CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
			if err := s.Grants().Create(ctx, g); err != nil {
				fmt.Fprintln(os.Stderr, "grant:", err)
				os.Exit(1)
			}
			for i := range plPerWorker {
				id := fmt.Sprintf("t-%02d-%04d", w, i)
				tok := &store.Token{ID: id, Host: plHost, Kind: store.AccessToken, GrantID: g.ID, ClientID: "c",
					IssuedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
				if err := s.Tokens().Put(ctx, tok); err != nil {
					fmt.Fprintln(os.Stderr, "put:", err)
					os.Exit(1)
				}
				say("T", id)
				if i%plRevokeOne != plRevokeOne-1 {
					continue
				}
				say("r", id)
				if err := s.Tokens().Revoke(ctx, plHost, id); err != nil {
					fmt.Fprintln(os.Stderr, "revoke:", err)
					os.Exit(1)
				}
				say("R", id)
			}
		}()
	}
	wg.Wait()
	return 0
}

// TestPowerLoss simulates a power cut under the store (internal/flakydisk: an ext4 filesystem on a disk that
// loses every write not flushed when the power goes) while 16 writers store and revoke tokens durably, cuts it
// after plCutAt acknowledged tokens, and checks on the disk as it survives that every acknowledged token is there
// and every acknowledged revocation holds (the cut comes after Badger has rotated its write-ahead log and written
// a table). Unlike the SIGKILL test of cmd/assentry, the kernel's page cache is lost too, so this proves that
// each write was synced before it was acknowledged.
//
// It needs root, /dev/fuse, loop devices, ext4, losetup and mkfs.ext4, and skips without them (also under CI,
// saying so). The device mapper (dm-flakey, dm-log-writes) is not needed.
func TestPowerLoss(t *testing.T) {
	res := powerLoss(t, "power-loss test", "sync")
	if res.lost > 0 || res.unrevoked > 0 {
		t.Fatalf("power-loss test: of %d acknowledged tokens %d were lost, of %d acknowledged revocations %d were lost",
			res.tokens, res.lost, res.revoked, res.unrevoked)
	}
	t.Logf("power-loss test ran: all %d acknowledged tokens and %d acknowledged revocations survived the cut (%s)",
		res.tokens, res.revoked, res.disk)
}

// TestPowerLossNoSync is the negative control of TestPowerLoss: the same procedure with Options.NoSync must lose
// acknowledged writes, which proves the simulation can tell a durable store from one that is not.
func TestPowerLossNoSync(t *testing.T) {
	res := powerLoss(t, "power-loss test (negative control)", "nosync")
	if res.lost == 0 && res.unrevoked == 0 {
		t.Fatalf("power-loss test (negative control): NoSync lost none of %d acknowledged tokens (%s): the simulation "+
			"cannot tell a durable store from one that is not", res.tokens, res.disk)
	}
	t.Logf("power-loss test (negative control) ran: NoSync lost %d of %d acknowledged tokens and %d of %d "+
		"acknowledged revocations (%s)", res.lost, res.tokens, res.unrevoked, res.revoked, res.disk)
}

type powerLossResult struct {
	tokens, lost, revoked, unrevoked int
	disk                             string
}

// powerLoss runs the writer in mode on a flaky disk (name says which test, in skip messages), cuts the power after plCutAt acknowledged tokens, kills the
// writer and checks what survives.
func powerLoss(t *testing.T, name, mode string) powerLossResult {
	if why := flakydisk.Unavailable(); why != "" {
		t.Skipf("%s skipped: %s (the device mapper is not needed)", name, why)
	}
	d, err := flakydisk.New(t.TempDir(), 256<<20)
	if errors.Is(err, flakydisk.ErrRefused) {
		t.Skipf("%s skipped: %v", name, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), writerEnv+"="+filepath.Join(d.Path(), "data")+" "+mode)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-waited })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
		waited <- cmd.Wait()
	}()

	// Everything read before the cut was acknowledged before it.
	acked := map[string]bool{}
	var order []string
	tried, revoked := map[string]bool{}, map[string]bool{}
	for len(order) < plCutAt {
		line, ok := <-lines
		if !ok {
			t.Fatalf("the writer stopped after %d acknowledged tokens:\n%s", len(order), stderr.String())
		}
		kind, id, _ := strings.Cut(line, " ")
		switch kind {
		case "T":
			acked[id] = true
			order = append(order, id)
		case "r":
			tried[id] = true
		case "R":
			revoked[id] = true
		}
	}
	cut := d.Cut()
	_ = cmd.Process.Kill()
	for range lines { // drain: the writer's last words went to a dead disk
	}
	dir, err := d.Survivor()
	if err != nil {
		t.Fatal(err)
	}
	disk := fmt.Sprintf("the disk saw %d writes and %d flushes before the cut, which lost %d unflushed pages; "+
		"%d writes came after it", cut.Writes, cut.Flushes, cut.Lost, d.Stats().Dropped)
	res := powerLossResult{tokens: len(order), revoked: len(revoked), disk: disk}
	s, err := badger.Open(context.Background(), badger.Options{Dir: filepath.Join(dir, "data"), Logger: quiet, GCInterval: -1})
	if err != nil {
		if mode == "sync" {
			t.Fatalf("power-loss test: the store does not open after the cut: %v (%s)", err, disk)
		}
		t.Logf("the store does not open after the cut: %v", err)
		res.lost, res.unrevoked = len(order), len(revoked)
		return res
	}
	defer s.Close()
	ssts, _ := filepath.Glob(filepath.Join(dir, "data", "*.sst"))
	mems, _ := filepath.Glob(filepath.Join(dir, "data", "*.mem"))
	res.disk += fmt.Sprintf("; the store reopened with %d tables and %d memtable logs", len(ssts), len(mems))
	for _, id := range order {
		_, err := s.Tokens().Get(context.Background(), plHost, id)
		switch {
		case revoked[id]:
			if !errors.Is(err, store.ErrRevoked) {
				res.unrevoked++
			}
		case errors.Is(err, store.ErrNotFound):
			res.lost++
		case err != nil && !(tried[id] && errors.Is(err, store.ErrRevoked)):
			t.Fatalf("token %s after the cut: %v", id, err)
		}
	}
	return res
}
