package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Bounds of TestCrashRounds. Counted, not timed: each round's kill comes after a seeded random number of
// acknowledged writes between roundKillMin and roundKillMin+roundKillSpan, and each worker stops after
// roundPerWorker requests if the kill has not come (which fails the test).
const (
	crashRounds    = 4
	roundKillMin   = 150
	roundKillSpan  = 250
	roundPerWorker = 400
	roundHoldOne   = 4 // every fourth code and password chain is held back, untouched, as a control
	roundRotations = 3 // rotations of each password chain that is not held back
	roundRevokeOne = 5 // every fifth client credentials token is revoked
	crashRedirect  = "https://crash.example/cb"
	crashVerifier  = "crash-test-code-verifier-0123456789-abcdefghijklmnop"
)

// roundLedger is what the server acknowledged in one round before its kill, and what was sent without an answer.
type roundLedger struct {
	mu          sync.Mutex
	active      []string        // tokens answered 2xx (access and refresh): active after the restart...
	revokeSent  map[string]bool // ...unless a revocation of them was sent
	revoked     map[string]bool // revocations answered 200: inactive after the restart
	rotateSent  map[string]bool // refresh tokens sent for rotation, answered or not
	rotated     []string        // refresh tokens whose rotation was answered 200: invalid_grant after the restart
	heldRefresh []string        // refresh tokens never presented: rotate after the restart
	redeemed    []string        // codes whose exchange was answered 200: invalid_grant after the restart
	heldCodes   []string        // codes issued (303) and never presented: exchange after the restart
	devices     []string        // device codes whose redemption was answered 200: invalid_grant after the restart
	heldDevices []string        // device codes approved (200) and never redeemed: redeem after the restart
	failures    []string        // answers other than 2xx while the server was up
}

func (l *roundLedger) add(f func(l *roundLedger)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(l)
}

// TestCrashRounds proves crash consistency of every kind of write with the real binary, over several rounds on
// one data directory: in each round workers concurrently issue client credentials tokens and revoke some,
// sign in with the password grant and rotate the refresh tokens, and redeem authorization codes from a signed-in
// browser, and start, approve and redeem device flows, until the server is killed with SIGKILL after a seeded random number of acknowledged writes. The
// server restarted on the same directory must keep every acknowledged write: every token answered 2xx is active
// at introspection (unless its revocation was sent), every revocation answered 200 holds, a control code, a
// control refresh token and an approved control device code issued before the kill and never presented still
// work, and every code, refresh token and device code whose use was answered 200 is refused with invalid_grant. With -short it runs one round.
func TestCrashRounds(t *testing.T) {
	e := newCLIEnv(t)
	e.appendConfig(`grant_types: [authorization_code, refresh_token, client_credentials, password, device_code]
rate_limits:
  device_code_per_ip: {burst: 100000, every: 1ms}
  device_code_per_browser: {burst: 100000, every: 1ms}
`)
	srv := e.startServer()
	e.ok("crash round password\n", "user", "add", "alice", "--password-stdin")
	var creds map[string]string
	out := e.ok("", "client", "add", "--name", "Crash", "--client-id", "crash", "--redirect-uri", crashRedirect,
		"--grant-type", "authorization_code", "--grant-type", "refresh_token", "--grant-type", "client_credentials",
		"--grant-type", "password", "--grant-type", "device_code", "--introspect", "--json")
	if err := json.Unmarshal([]byte(out), &creds); err != nil || creds["client_secret"] == "" {
		t.Fatalf("client add: %q %v", out, err)
	}
	cl := crashClient{base: "http://" + e.addr, id: creds["client_id"], secret: creds["client_secret"], c: loopbackClient()}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ASSENTRY_CRASH_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	t.Logf("seed %d (set ASSENTRY_CRASH_SEED to repeat)", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	b := newCrashBrowser(t, cl)

	rounds := crashRounds
	if testing.Short() {
		rounds = 1
	}
	for round := range rounds {
		killAt := int64(roundKillMin + rng.IntN(roundKillSpan))
		led := runRound(t, cl, b, srv, killAt)
		t.Logf("round %d: killed after %d acknowledged writes: %d tokens, %d revocations, %d rotations, %d codes and %d device codes redeemed, %d codes, %d refresh tokens and %d approved device codes held back",
			round, killAt, len(led.active), len(led.revoked), len(led.rotated), len(led.redeemed), len(led.devices),
			len(led.heldCodes), len(led.heldRefresh), len(led.heldDevices))
		srv = e.startServer()
		cl.c.CloseIdleConnections()
		checkRound(t, cl, led)
		if t.Failed() {
			t.Fatalf("round %d (seed %d) lost acknowledged writes", round, seed)
		}
	}
}

// crashClient is the test's confidential client on the server under test.
type crashClient struct {
	base, id, secret string
	c                *http.Client
}

// post posts a form to path with the client's credentials and decodes a JSON answer into out (nil: ignore).
func (cl crashClient) post(path string, form url.Values, out any) (int, string, error) {
	status, body, err := postForm(cl.c, cl.base+path, cl.id, cl.secret, form)
	if err == nil && out != nil && status/100 == 2 {
		if jerr := json.Unmarshal(body, out); jerr != nil {
			return status, string(body), fmt.Errorf("answer of %s: %v", path, jerr)
		}
	}
	return status, string(body), err
}

// tokens is a token endpoint answer.
type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// runRound runs the workers until killAt writes were acknowledged, kills the server and returns the ledger.
func runRound(t *testing.T, cl crashClient, b *crashBrowser, srv *runningServer, killAt int64) *roundLedger {
	t.Helper()
	led := &roundLedger{revokeSent: map[string]bool{}, revoked: map[string]bool{}, rotateSent: map[string]bool{}}
	var acked atomic.Int64
	var killed atomic.Bool
	kill := make(chan struct{})
	var killOnce sync.Once
	ack := func() {
		if acked.Add(1) == killAt {
			killOnce.Do(func() { close(kill) })
		}
	}
	// fail records an unexpected answer; after the kill, a cut-off request is no failure. It reports whether
	// the worker should stop (the server is gone).
	fail := func(what string, status int, body string, err error) bool {
		if !killed.Load() {
			led.add(func(l *roundLedger) {
				l.failures = append(l.failures, fmt.Sprintf("%s: %d %s %v", what, status, body, err))
			})
		}
		return err != nil
	}
	workers := []func(){
		func() { clientCredentialsWorker(cl, led, ack, fail) },
		func() { clientCredentialsWorker(cl, led, ack, fail) },
		func() { clientCredentialsWorker(cl, led, ack, fail) },
		func() { passwordWorker(cl, led, ack, fail) },
		func() { passwordWorker(cl, led, ack, fail) },
		func() { codeWorker(cl, b, led, ack, fail) },
		func() { codeWorker(cl, b, led, ack, fail) },
		func() { deviceWorker(cl, b, led, ack, fail) },
	}
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(w)
	}
	killUnderLoad(t, srv, &wg, kill, &killed, func() []string { return led.failures },
		fmt.Sprintf("%d writes were acknowledged", killAt))
	return led
}

type (
	ackFunc  func()
	failFunc func(what string, status int, body string, err error) bool
)

// clientCredentialsWorker issues client credentials tokens and revokes every roundRevokeOne-th.
func clientCredentialsWorker(cl crashClient, led *roundLedger, ack ackFunc, fail failFunc) {
	for i := range roundPerWorker {
		var tok tokens
		status, body, err := cl.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, &tok)
		if err != nil || status != http.StatusOK || tok.AccessToken == "" {
			if fail("client credentials", status, body, err) {
				return
			}
			continue
		}
		led.add(func(l *roundLedger) { l.active = append(l.active, tok.AccessToken) })
		ack()
		if i%roundRevokeOne != 0 {
			continue
		}
		led.add(func(l *roundLedger) { l.revokeSent[tok.AccessToken] = true })
		status, body, err = cl.post("/oauth2/revoke", url.Values{"token": {tok.AccessToken}}, nil)
		if err != nil || status != http.StatusOK {
			if fail("revocation", status, body, err) {
				return
			}
			continue
		}
		led.add(func(l *roundLedger) { l.revoked[tok.AccessToken] = true })
		ack()
	}
}

// passwordWorker signs alice in with the password grant and rotates the refresh token roundRotations times;
// every roundHoldOne-th chain is held back untouched.
func passwordWorker(cl crashClient, led *roundLedger, ack ackFunc, fail failFunc) {
	for chain, sent := 0, 0; sent < roundPerWorker; chain++ {
		var tok tokens
		sent++
		status, body, err := cl.post("/oauth2/token", url.Values{"grant_type": {"password"}, "username": {"alice"},
			"password": {"crash round password"}, "scope": {"offline_access"}}, &tok)
		if err != nil || status != http.StatusOK || tok.RefreshToken == "" {
			if fail("password grant", status, body, err) {
				return
			}
			continue
		}
		led.add(func(l *roundLedger) { l.active = append(l.active, tok.AccessToken, tok.RefreshToken) })
		ack()
		if chain%roundHoldOne == 0 {
			led.add(func(l *roundLedger) { l.heldRefresh = append(l.heldRefresh, tok.RefreshToken) })
			continue
		}
		rt := tok.RefreshToken
		for range roundRotations {
			sent++
			led.add(func(l *roundLedger) { l.rotateSent[rt] = true })
			var next tokens
			status, body, err := cl.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, &next)
			if err != nil || status != http.StatusOK || next.RefreshToken == "" {
				if fail("refresh", status, body, err) {
					return
				}
				break
			}
			led.add(func(l *roundLedger) {
				l.rotated = append(l.rotated, rt)
				l.active = append(l.active, next.AccessToken, next.RefreshToken)
			})
			ack()
			rt = next.RefreshToken
		}
	}
}

// codeWorker gets codes from the signed-in browser and redeems them; every roundHoldOne-th is held back.
func codeWorker(cl crashClient, b *crashBrowser, led *roundLedger, ack ackFunc, fail failFunc) {
	for i := range roundPerWorker / 2 {
		code, status, err := b.silentCode()
		if err != nil || code == "" {
			if fail("authorization", status, "", err) {
				return
			}
			continue
		}
		ack() // the code was stored before the redirect was sent
		if i%roundHoldOne == 0 {
			led.add(func(l *roundLedger) { l.heldCodes = append(l.heldCodes, code) })
			continue
		}
		var tok tokens
		status, body, err := cl.post("/oauth2/token", exchangeForm(code), &tok)
		if err != nil || status != http.StatusOK || tok.RefreshToken == "" {
			if fail("code exchange", status, body, err) {
				return
			}
			continue
		}
		led.add(func(l *roundLedger) {
			l.redeemed = append(l.redeemed, code)
			l.active = append(l.active, tok.AccessToken, tok.RefreshToken)
		})
		ack()
	}
}

// deviceWorker starts device flows, approves each with the signed-in browser (the user code entered, consent
// given) and redeems the device code; every roundHoldOne-th approved device code is held back.
func deviceWorker(cl crashClient, b *crashBrowser, led *roundLedger, ack ackFunc, fail failFunc) {
	for i := range roundPerWorker / 4 {
		var da struct {
			DeviceCode string `json:"device_code"`
			UserCode   string `json:"user_code"`
		}
		status, body, err := cl.post("/oauth2/device", url.Values{"scope": {"offline_access"}}, &da)
		if err != nil || status != http.StatusOK || da.DeviceCode == "" || da.UserCode == "" {
			if fail("device authorization", status, body, err) {
				return
			}
			continue
		}
		ack()
		if status, err := b.approveDevice(cl.base, da.UserCode); err != nil {
			if fail("device approval", status, "", err) {
				return
			}
			continue
		}
		ack()
		if i%roundHoldOne == 0 {
			led.add(func(l *roundLedger) { l.heldDevices = append(l.heldDevices, da.DeviceCode) })
			continue
		}
		var tok tokens
		status, body, err = cl.post("/oauth2/token", deviceForm(da.DeviceCode), &tok)
		if err != nil || status != http.StatusOK || tok.RefreshToken == "" {
			if fail("device code redemption", status, body, err) {
				return
			}
			continue
		}
		led.add(func(l *roundLedger) {
			l.devices = append(l.devices, da.DeviceCode)
			l.active = append(l.active, tok.AccessToken, tok.RefreshToken)
		})
		ack()
	}
}

// deviceForm is the token request that redeems an approved device code.
func deviceForm(deviceCode string) url.Values {
	return url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {deviceCode}}
}

// exchangeForm is the token request that redeems code.
func exchangeForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {crashRedirect},
		"code_verifier": {crashVerifier}}
}

// checkRound checks the ledger of a round against the restarted server, in three phases: introspection, then
// the controls (a rotation or a code exchange of their own chain), then the replays, which come last because a
// replayed code or refresh token ends its chain and would make the tokens of that chain inactive.
func checkRound(t *testing.T, cl crashClient, led *roundLedger) {
	t.Helper()
	type job struct {
		name string
		run  func() string // "" when the write held
	}
	runJobs := func(jobs []job) {
		bad := map[string]int{}
		var mu sync.Mutex
		ch := make(chan job)
		var wg sync.WaitGroup
		for range crashWorkers {
			wg.Go(func() {
				for j := range ch {
					if msg := j.run(); msg != "" {
						mu.Lock()
						if bad[j.name]++; bad[j.name] <= 3 {
							t.Errorf("%s after the restart: %s", j.name, msg)
						}
						mu.Unlock()
					}
				}
			})
		}
		for _, j := range jobs {
			ch <- j
		}
		close(ch)
		wg.Wait()
		for name, n := range bad {
			t.Errorf("%d failures of the kind %q", n, name)
		}
	}
	var jobs []job
	for _, tok := range led.active {
		if led.revokeSent[tok] || led.rotateSent[tok] {
			continue
		}
		jobs = append(jobs, job{"acknowledged token", func() string { return introspect(cl, tok, true) }})
	}
	for tok := range led.revoked {
		jobs = append(jobs, job{"acknowledged revocation", func() string { return introspect(cl, tok, false) }})
	}
	runJobs(jobs)
	jobs = nil
	for _, code := range led.heldCodes {
		jobs = append(jobs, job{"control code", func() string { return grantAnswer(cl, exchangeForm(code), "") }})
	}
	for _, rt := range led.heldRefresh {
		jobs = append(jobs, job{"control refresh token", func() string {
			return grantAnswer(cl, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, "")
		}})
	}
	for _, dc := range led.heldDevices {
		jobs = append(jobs, job{"control device code (approved before the kill)", func() string {
			return grantAnswer(cl, deviceForm(dc), "")
		}})
	}
	runJobs(jobs)
	jobs = nil
	for _, code := range led.redeemed {
		jobs = append(jobs, job{"redeemed code", func() string { return grantAnswer(cl, exchangeForm(code), "invalid_grant") }})
	}
	for _, rt := range led.rotated {
		jobs = append(jobs, job{"rotated refresh token", func() string {
			return grantAnswer(cl, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, "invalid_grant")
		}})
	}
	for _, dc := range led.devices {
		jobs = append(jobs, job{"redeemed device code", func() string { return grantAnswer(cl, deviceForm(dc), "invalid_grant") }})
	}
	runJobs(jobs)
}

// introspect checks that tok is active (or not).
func introspect(cl crashClient, tok string, want bool) string {
	var r struct {
		Active bool `json:"active"`
	}
	status, body, err := cl.post("/oauth2/introspect", url.Values{"token": {tok}}, &r)
	switch {
	case err != nil || status != http.StatusOK:
		return fmt.Sprintf("introspection: %d %s %v", status, body, err)
	case r.Active != want:
		return fmt.Sprintf("active is %v, want %v", r.Active, want)
	}
	return ""
}

// grantAnswer sends a token request and checks its answer: 200 when wantErr is empty, else 400 with that error.
func grantAnswer(cl crashClient, form url.Values, wantErr string) string {
	var ok tokens
	status, body, err := cl.post("/oauth2/token", form, &ok)
	if err != nil {
		return err.Error()
	}
	if wantErr == "" {
		if status != http.StatusOK || ok.AccessToken == "" {
			return fmt.Sprintf("%d %s, want 200", status, body)
		}
		return ""
	}
	var e struct {
		Error string `json:"error"`
	}
	if status != http.StatusBadRequest || json.Unmarshal([]byte(body), &e) != nil || e.Error != wantErr {
		return fmt.Sprintf("%d %s, want 400 %s", status, body, wantErr)
	}
	return ""
}
