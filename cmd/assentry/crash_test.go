package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Bounds of TestCrashKeepsAcknowledgedWrites. Everything is counted, nothing timed: the kill comes after
// crashKillAt acknowledged tokens, each worker sends at most crashPerWorker requests, and the only clock is a
// hang guard on each request.
const (
	crashWorkers   = 16
	crashPerWorker = 120 // 1920 requests at most; the kill comes long before
	crashKillAt    = 600 // acknowledged tokens before the SIGKILL
	crashRevokeOne = 10  // every tenth acknowledged token is revoked by its worker before the kill
)

// loopbackClient talks to the test server only: no proxy, a generous hang guard, enough idle connections for
// every worker.
func loopbackClient() *http.Client {
	return &http.Client{
		Timeout:   60 * time.Second,
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: crashWorkers, MaxConnsPerHost: crashWorkers},
	}
}

// postForm posts form values with the client's Basic credentials and returns the status and body; err is a
// transport error (the server is gone).
func postForm(c *http.Client, endpoint, id, secret string, form url.Values) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, body, err
}

// activeAt introspects tok at the server at base (as client id) and returns whether it is active; any other
// answer than a 200 with a JSON body fails the test.
func activeAt(t *testing.T, c *http.Client, base, id, secret, tok string) bool {
	t.Helper()
	status, body, err := postForm(c, base+"/oauth2/introspect", id, secret, url.Values{"token": {tok}})
	var r struct {
		Active bool `json:"active"`
	}
	if err != nil || status != http.StatusOK || json.Unmarshal(body, &r) != nil {
		t.Fatalf("introspection at %s: %d %s %v", base, status, body, err)
	}
	return r.Active
}

// killUnderLoad kills the server in the middle of the load: it waits for kill (closed by the load once enough
// writes were acknowledged; the test fails if the load ends first, before what), marks killed first (a request cut
// off by the kill is then no failure, while a 2xx that arrives after the mark still counts), sends SIGKILL and
// waits for the server and the load to end. It fails on any answer the load recorded as wrong before the kill,
// and when the log shows a clean shutdown rather than a kill.
func killUnderLoad(t *testing.T, srv *runningServer, load *sync.WaitGroup, kill <-chan struct{}, killed *atomic.Bool,
	failures func() []string, what string) {
	t.Helper()
	allDone := make(chan struct{})
	go func() { load.Wait(); close(allDone) }()
	select {
	case <-kill:
	case <-allDone:
		t.Fatalf("the load ended before %s: %v", what, failures())
	}
	killed.Store(true)
	if err := srv.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	<-allDone
	if f := failures(); len(f) > 0 {
		t.Fatalf("%d wrong answers before the kill, first: %s", len(f), f[0])
	}
	if !strings.Contains(srv.log.String(), `"msg":"listening"`) || strings.Contains(srv.log.String(), "shutting down") {
		t.Fatalf("the server was not killed in the middle of its work:\n%s", srv.log)
	}
}

// crashLedger is what the workers were told before the kill.
type crashLedger struct {
	mu       sync.Mutex
	issued   []string        // every access token answered 200
	revoked  map[string]bool // tokens whose revocation was answered 200
	tried    map[string]bool // tokens whose revocation was sent, answered or not
	failures []string        // answers other than 200 while the server was up
}

// TestCrashKeepsAcknowledgedWrites proves crash consistency with the real binary: 16 workers issue client
// credentials tokens as fast as the server answers, some of them revoke a token they just got, and the server is
// killed with SIGKILL in the middle of the load, after crashKillAt acknowledged tokens. Restarted on the same data
// directory, the server must know every token it answered 200 for (introspection: active) and every revocation
// it answered 200 for (inactive). SIGKILL keeps the kernel's page cache, so this proves that nothing is
// acknowledged before Badger has handed it to the kernel, not that it reached the disk: see the power-loss test in
// store/badger for that.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	e := newCLIEnv(t)
	e.appendConfig("grant_types: [authorization_code, refresh_token, client_credentials]\n")
	srv := e.startServer()
	id, secret := e.addServiceClient("crash-load")
	base := "http://" + e.addr
	c := loopbackClient()

	led := &crashLedger{revoked: map[string]bool{}, tried: map[string]bool{}}
	var acked atomic.Int64
	var killed atomic.Bool
	kill := make(chan struct{})
	var killOnce sync.Once
	var wg sync.WaitGroup
	for range crashWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range crashPerWorker {
				status, body, err := postForm(c, base+"/oauth2/token", id, secret, url.Values{"grant_type": {"client_credentials"}})
				if err != nil {
					if !killed.Load() {
						led.fail(fmt.Sprintf("token request: %v", err))
					}
					return // the server is gone
				}
				var tok struct {
					AccessToken string `json:"access_token"`
				}
				if status != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
					if !killed.Load() {
						led.fail(fmt.Sprintf("token request: %d %s", status, body))
					}
					continue
				}
				led.mu.Lock()
				led.issued = append(led.issued, tok.AccessToken)
				led.mu.Unlock()
				n := acked.Add(1)
				if n == crashKillAt {
					killOnce.Do(func() { close(kill) })
				}
				if n%crashRevokeOne != 0 {
					continue
				}
				led.mu.Lock()
				led.tried[tok.AccessToken] = true
				led.mu.Unlock()
				status, body, err = postForm(c, base+"/oauth2/revoke", id, secret, url.Values{"token": {tok.AccessToken}})
				switch {
				case err != nil:
					if !killed.Load() {
						led.fail(fmt.Sprintf("revocation: %v", err))
					}
					return
				case status == http.StatusOK:
					led.mu.Lock()
					led.revoked[tok.AccessToken] = true
					led.mu.Unlock()
				case !killed.Load():
					led.fail(fmt.Sprintf("revocation: %d %s", status, body))
				}
			}
		}()
	}
	killUnderLoad(t, srv, &wg, kill, &killed, func() []string { return led.failures },
		fmt.Sprintf("%d tokens were acknowledged", crashKillAt))
	t.Logf("killed after %d acknowledged tokens (%d in all) and %d acknowledged revocations",
		crashKillAt, len(led.issued), len(led.revoked))

	// Restart on the same directory (after a SIGKILL: no clean shutdown, Badger replays its log) and check every
	// acknowledged write.
	e.startServer()
	c.CloseIdleConnections()
	type verdict struct {
		token  string
		active bool
	}
	tokens := make(chan string)
	verdicts := make(chan verdict)
	var checkers sync.WaitGroup
	var checkErr atomic.Value
	for range crashWorkers {
		checkers.Add(1)
		go func() {
			defer checkers.Done()
			for tok := range tokens {
				status, body, err := postForm(c, base+"/oauth2/introspect", id, secret, url.Values{"token": {tok}})
				var r struct {
					Active bool `json:"active"`
				}
				if err != nil || status != http.StatusOK || json.Unmarshal(body, &r) != nil {
					checkErr.CompareAndSwap(nil, fmt.Sprintf("introspection after the restart: %d %s %v", status, body, err))
					continue
				}
				verdicts <- verdict{tok, r.Active}
			}
		}()
	}
	go func() {
		for _, tok := range led.issued {
			tokens <- tok
		}
		close(tokens)
		checkers.Wait()
		close(verdicts)
	}()
	lost, unrevoked, checked := 0, 0, 0
	for v := range verdicts {
		checked++
		switch {
		case led.revoked[v.token] && v.active:
			unrevoked++
			if unrevoked <= 3 {
				t.Errorf("a revocation answered 200 was lost in the crash: the token is active again")
			}
		case !led.tried[v.token] && !v.active:
			lost++
			if lost <= 3 {
				t.Errorf("a token answered 200 was lost in the crash: inactive after the restart")
			}
		}
	}
	if msg := checkErr.Load(); msg != nil {
		t.Fatal(msg)
	}
	if checked != len(led.issued) {
		t.Fatalf("checked %d of %d tokens", checked, len(led.issued))
	}
	if lost > 0 || unrevoked > 0 {
		t.Fatalf("of %d acknowledged tokens, %d were lost; of %d acknowledged revocations, %d were lost",
			len(led.issued), lost, len(led.revoked), unrevoked)
	}
	t.Logf("after the restart: all %d acknowledged tokens known, all %d acknowledged revocations kept",
		len(led.issued), len(led.revoked))
}

func (l *crashLedger) fail(msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures = append(l.failures, msg)
}
