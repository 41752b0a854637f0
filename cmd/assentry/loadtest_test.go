package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadReport is what `assentry loadtest --json` prints, as far as the tests read it.
type loadReport struct {
	Interrupted bool `json:"interrupted"`
	Scenarios   []struct {
		Name         string           `json:"name"`
		Requests     int64            `json:"requests"`
		Successes    int64            `json:"successes"`
		Errors       int64            `json:"errors"`
		ErrorsByKind map[string]int64 `json:"errors_by_kind"`
		RPS          float64          `json:"rps"`
		Legs         []struct {
			Name  string `json:"name"`
			Count int64  `json:"count"`
		} `json:"legs"`
	} `json:"scenarios"`
}

// TestCLILoadtest: the users and clients made with the CLI, `assentry serve`, and every scenario of `assentry
// loadtest` against it with a request bound, as the README tells an operator to run them.
func TestCLILoadtest(t *testing.T) {
	e := newCLIEnv(t)
	e.appendConfig("grant_types: [authorization_code, refresh_token, device_code, client_credentials]\n")
	e.startServer()
	e.ok("correct horse battery\n", "user", "add", "alice", "--password-stdin")
	var svc, web map[string]string
	if err := json.Unmarshal([]byte(e.ok("", "client", "add", "--name", "Load", "--grant-type", "client_credentials",
		"--introspect", "--json")), &svc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(e.ok("", "client", "add", "--name", "Load Web", "--redirect-uri", "https://loadtest.example/cb",
		"--grant-type", "authorization_code", "--grant-type", "refresh_token", "--grant-type", "device_code", "--json")), &web); err != nil {
		t.Fatal(err)
	}
	target := "http://" + e.addr
	common := []string{"loadtest", "--target", target, "--workers", "2", "--requests", "20", "--warmup", "0", "--duration", "1m", "--json"}
	for _, run := range []struct {
		client    map[string]string
		scenarios string
		extra     []string
	}{
		{svc, "ceiling,client_credentials,introspect", nil},
		{web, "code,refresh,userinfo,device", []string{"--username", "alice", "--password", "correct horse battery"}},
	} {
		args := append(append(common, "--scenario", run.scenarios, "--client-id", run.client["client_id"],
			"--client-secret", run.client["client_secret"]), run.extra...)
		var rep loadReport
		out := e.ok("", args...)
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("loadtest --json: %v\n%s", err, out)
		}
		var names []string
		for _, s := range rep.Scenarios {
			names = append(names, s.Name)
			if s.Requests != 20 || s.Successes != 20 || s.Errors != 0 || s.RPS <= 0 {
				t.Fatalf("%s: %+v", s.Name, s)
			}
		}
		if strings.Join(names, ",") != run.scenarios {
			t.Fatalf("ran %v, want %s", names, run.scenarios)
		}
	}

	// The text table.
	out := e.ok("", "loadtest", "--target", target, "--scenario", "client_credentials", "--client-id", svc["client_id"],
		"--client-secret", svc["client_secret"], "--requests", "10", "--warmup", "0", "--workers", "1")
	if !strings.Contains(out, "req/s") || !strings.Contains(out, "client_credentials") {
		t.Fatalf("text report:\n%s", out)
	}

	// A wrong secret is a setup error naming the step; nothing is measured.
	r := e.run("", "loadtest", "--target", target, "--scenario", "client_credentials", "--client-id", svc["client_id"],
		"--client-secret", "wrong", "--requests", "10")
	if r.code != 1 || !strings.Contains(r.stderr, "setup failed at token request") || !strings.Contains(r.stderr, "invalid_client") {
		t.Fatalf("wrong secret: exit %d\n%s", r.code, r.stderr)
	}
}

// TestCLILoadtestRefuses: a target outside loopback and bad flags are usage errors (exit 2); nothing is sent.
func TestCLILoadtestRefuses(t *testing.T) {
	e := newCLIEnv(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--target", "http://10.0.0.1:8080", "--scenario", "client_credentials", "--client-id", "a", "--client-secret", "b"}, "not a loopback address"},
		{[]string{"--target", "http://192.168.1.1", "--scenario", "introspect", "--token", "t", "--introspect-client-id", "a"}, "not a loopback address"},
		{[]string{}, "no scenario"},
		{[]string{"--scenario", "code,nope"}, `unknown scenario "nope"`},
		{[]string{"--scenario", "ceiling", "--duration", "0s"}, "duration"},
	} {
		r := e.run("", append([]string{"loadtest"}, tt.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Fatalf("loadtest %v: exit %d, want 2 and %q\n%s", tt.args, r.code, tt.want, r.stderr)
		}
	}
}

// TestCLILoadtestInterrupt: SIGINT during the measured phase ends the run at once, with the report of what was
// measured.
func TestCLILoadtestInterrupt(t *testing.T) {
	cmd := exec.Command(binary, "loadtest", "--scenario", "ceiling", "--workers", "2", "--duration", "1h", "--warmup", "0", "--json")
	cmd.Env = childEnv
	var stdout strings.Builder
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "ceiling: measuring") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stderr)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("loadtest did not stop on SIGINT")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(rest), "interrupted") {
		t.Fatalf("after SIGINT: %v\n%s", err, rest)
	}
	var rep loadReport
	if err := json.Unmarshal([]byte(stdout.String()), &rep); err != nil || !rep.Interrupted || len(rep.Scenarios) != 1 {
		t.Fatalf("report after SIGINT: %v\n%s", err, stdout.String())
	}
}
