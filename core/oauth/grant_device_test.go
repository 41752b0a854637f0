package oauth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// withDevice makes the host serve the device grant.
func withDevice(o *Options) {
	o.Settings.GrantTypes = append(o.Settings.GrantTypes, GrantDeviceCode)
	o.Settings.DeviceCodeTTL = 10 * time.Minute
}

// startDevice runs the device authorization endpoint for client, asking for scopes.
func (e *tokenEnv) startDevice(client string, scopes ...string) *DeviceAuthorizationResponse {
	e.t.Helper()
	resp, err := e.p.DeviceAuthorization(e.ctx, &DeviceAuthorizationRequest{Client: e.creds(client),
		Params: params("scope", strings.Join(scopes, " "))})
	if err != nil {
		e.t.Fatalf("device authorization: %v", err)
	}
	return resp
}

// poll is one poll of the token endpoint with a device code.
func (e *tokenEnv) poll(client, deviceCode string) (*TokenResponse, *Error) {
	return e.token(e.creds(client), "grant_type", GrantDeviceCode, "device_code", deviceCode)
}

// verify is the browser side: alice types userCode, is signed in, and approves (the scopes offered) or denies.
func (e *tokenEnv) verify(userCode string, approve bool) (*Step, error) {
	e.t.Helper()
	ix, err := e.p.StartDeviceVerification(e.ctx, userCode, "browser-1")
	if err != nil {
		return nil, err
	}
	if err := e.p.LoggedIn(e.ctx, ix, e.alice.ID); err != nil {
		e.t.Fatal(err)
	}
	step, err := e.p.Advance(e.ctx, ix, nil)
	if err != nil {
		e.t.Fatalf("advance: %v", err)
	}
	if step.Kind != StepConsent || !step.Device {
		e.t.Fatalf("a device verification must always ask: step %+v", step)
	}
	return e.p.Decide(e.ctx, ix, approve, step.Offered)
}

func TestDeviceAuthorizationResponse(t *testing.T) {
	e := newTokenEnv(t, withDevice)
	resp := e.startDevice("tv", ScopeOpenID, "profile", "unknown-scope")
	if !strings.HasPrefix(resp.DeviceCode, PrefixDeviceCode) || len(resp.DeviceCode) != 3+43 {
		t.Fatalf("device_code %q: want dc_ + 256 bits", resp.DeviceCode)
	}
	code, ok := NormalizeUserCode(resp.UserCode)
	if !ok || len(resp.UserCode) != 9 || resp.UserCode[4] != '-' {
		t.Fatalf("user_code %q: want XXXX-XXXX from the base-20 alphabet", resp.UserCode)
	}
	if resp.VerificationURI != "https://id.example.org/device" ||
		resp.VerificationURIComplete != "https://id.example.org/device?user_code="+resp.UserCode ||
		resp.ExpiresIn != 600 || resp.Interval != 5 {
		t.Fatalf("response %+v", resp)
	}
	// Only digests are stored; unknown scopes are dropped.
	d, err := e.st.DeviceCodes().Get(e.ctx, tkHost, Digest(resp.DeviceCode))
	if err != nil || d.UserCode != Digest(code) || d.ClientID != "tv" || d.Status != DevicePending ||
		strings.Join(d.Scopes, " ") != "openid profile" || !d.ValidUntil.Equal(e.clock.Now().Add(10*time.Minute)) {
		t.Fatalf("stored %+v %v", d, err)
	}
	if strings.Contains(d.UserCode, code) || d.ID == resp.DeviceCode {
		t.Fatal("a code is stored in clear")
	}
}

func TestDeviceAuthorizationErrors(t *testing.T) {
	e := newTokenEnv(t, withDevice)
	off := newTokenEnv(t)
	tests := []struct {
		name   string
		e      *tokenEnv
		cr     ClientCredentials
		code   string
		status int
	}{
		{"unknown client", e, ClientCredentials{ID: "nope"}, CodeInvalidClient, http.StatusUnauthorized},
		{"wrong secret", e, ClientCredentials{Authorization: basicHeader("tvconf", "x")}, CodeInvalidClient, http.StatusUnauthorized},
		{"client without the device grant", e, e.creds("web"), CodeUnauthorizedClient, http.StatusBadRequest},
		{"host without the device grant", off, off.creds("tv"), CodeUnsupportedGrantType, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.e.p.DeviceAuthorization(tt.e.ctx, &DeviceAuthorizationRequest{Client: tt.cr, Params: Params{}})
			wantErr(t, err, tt.code, tt.status)
		})
	}
}

func TestNormalizeUserCode(t *testing.T) {
	tests := []struct {
		typed, want string
		ok          bool
	}{
		{"WDJB-MJHT", "WDJBMJHT", true},
		{"wdjb-mjht", "WDJBMJHT", true},
		{" wdjb mjht ", "WDJBMJHT", true},
		{"WdJbMjHt", "WDJBMJHT", true},
		{"WDJB--MJHT\n", "WDJBMJHT", true},
		{"WDJB-MJH", "", false},   // too short
		{"WDJB-MJHTB", "", false}, // too long
		{"WDJB-MJHA", "", false},  // a vowel is not in the alphabet
		{"WDJB-MJH1", "", false},  // nor a digit
		{"WDJB-MJHÞ", "", false},  // nor anything else
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeUserCode(tt.typed)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeUserCode(%q) = %q %v, want %q %v", tt.typed, got, ok, tt.want, tt.ok)
		}
	}
}

// TestUserCodeAlphabet: every character comes from RFC 8628 §6.1's base-20 alphabet, drawn uniformly: bytes of
// 240 and more are skipped (they would favour the first 16 letters).
func TestUserCodeAlphabet(t *testing.T) {
	src := []byte{0, 19, 20, 255, 240, 239, 39, 1, 2, 3}
	src = append(src, make([]byte, 6)...)
	got, err := newUserCode(bytes.NewReader(src))
	if err != nil || got != "BZBZZCDF" {
		t.Fatalf("newUserCode = %q %v, want BZBZZCDF (0, 19, 20, 239, 39, 1, 2, 3 mod 20; 255 and 240 skipped)", got, err)
	}
	if len(UserCodeAlphabet) != 20 || strings.ContainsAny(UserCodeAlphabet, "AEIOUY0123456789") {
		t.Fatalf("alphabet %q", UserCodeAlphabet)
	}
	if _, err := newUserCode(bytes.NewReader(nil)); err == nil {
		t.Fatal("an exhausted random source must be an error")
	}
}

// cycle is a random source that repeats one block: every user code drawn from it is the same.
type cycle struct{ block []byte }

func (c cycle) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.block[i%len(c.block)]
	}
	return len(p), nil
}

// seq hands out readers in turn: each draw of a user code reads 16 bytes from the current one.
type seq struct {
	mu      sync.Mutex
	readers []io.Reader
}

func (s *seq) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.readers) == 0 {
		return 0, errors.New("exhausted")
	}
	r := s.readers[0]
	s.readers = s.readers[1:]
	return io.ReadFull(r, p)
}

// TestUserCodeCollision: a user code must be unique among live device codes; a collision draws another, and a
// source that never stops colliding is a server_error after a bounded number of tries.
func TestUserCodeCollision(t *testing.T) {
	same := cycle{block: []byte{7}}  // KKKKKKKK
	other := cycle{block: []byte{8}} // LLLLLLLL
	src := &seq{}
	e := newTokenEnv(t, withDevice, func(o *Options) { o.Random = src })
	src.readers = []io.Reader{same}
	first := e.startDevice("tv")
	src.readers = []io.Reader{same, same, other}
	second := e.startDevice("tv")
	if first.UserCode != "KKKK-KKKK" || second.UserCode != "LLLL-LLLL" {
		t.Fatalf("user codes %q then %q, want KKKK-KKKK then LLLL-LLLL", first.UserCode, second.UserCode)
	}
	src.readers = []io.Reader{same, same, same, same, same, same, same, same, same}
	_, err := e.p.DeviceAuthorization(e.ctx, &DeviceAuthorizationRequest{Client: e.creds("tv"), Params: Params{}})
	wantErr(t, err, CodeServerError, http.StatusInternalServerError)
	// Once the first code has expired and gone, its user code is free again.
	e.clock.Advance(10*time.Minute + deviceExpiredKept)
	src.readers = []io.Reader{same}
	if again := e.startDevice("tv"); again.UserCode != "KKKK-KKKK" {
		t.Fatalf("user code after expiry %q", again.UserCode)
	}
}

// TestDevicePolling walks one device code through RFC 8628 §3.5: pending, slow_down with the interval raised and
// kept, the jitter allowance, approval answered even to an early poll, and redemption exactly once.
func TestDevicePolling(t *testing.T) {
	e := newTokenEnv(t, withDevice)
	resp := e.startDevice("tv", ScopeOpenID, ScopeOfflineAccess)
	pollWant := func(code string) {
		t.Helper()
		_, err := e.poll("tv", resp.DeviceCode)
		wantErr(t, err, code, http.StatusBadRequest)
	}
	pollWant(CodeAuthorizationPending)
	e.clock.Advance(2 * time.Second)
	pollWant(CodeSlowDown) // interval now 10 s
	e.clock.Advance(6 * time.Second)
	pollWant(CodeSlowDown) // 6 s < 10 s - 1 s; interval now 15 s
	e.clock.Advance(14 * time.Second)
	pollWant(CodeAuthorizationPending) // within the second of jitter
	d, _ := e.st.DeviceCodes().Get(e.ctx, tkHost, Digest(resp.DeviceCode))
	if d.Interval != 15 {
		t.Fatalf("interval %d, want 15 (two slow_downs, persisted)", d.Interval)
	}

	step, err := e.verify(resp.UserCode, true)
	if err != nil || step.Kind != StepDeviceDone || !step.Approved {
		t.Fatalf("approval: %+v %v", step, err)
	}
	// An early poll after the approval still gets the tokens (the interval only paces pending codes).
	tok, perr := e.poll("tv", resp.DeviceCode)
	if perr != nil || tok.AccessToken == "" || tok.RefreshToken == "" || tok.Scope != "openid offline_access" {
		t.Fatalf("tokens after approval: %+v %v", tok, perr)
	}
	if at := e.stored(tok.AccessToken); at.UserID != e.alice.ID || at.ClientID != "tv" {
		t.Fatalf("stored %+v", at)
	}
	// Redeemed again: invalid_grant, and the chain it led to is ended (RFC 9700 §4.5).
	pollWant(CodeInvalidGrant)
	if e.usable(tok.AccessToken) || e.usable(tok.RefreshToken) {
		t.Fatal("a second redemption left the tokens alive")
	}
}

func TestDeviceDenied(t *testing.T) {
	e := newTokenEnv(t, withDevice)
	resp := e.startDevice("tv")
	if _, err := e.poll("tv", resp.DeviceCode); err == nil || err.Code != CodeAuthorizationPending {
		t.Fatalf("first poll: %v", err)
	}
	step, err := e.verify(resp.UserCode, false)
	if err != nil || step.Kind != StepDeviceDone || step.Approved {
		t.Fatalf("denial: %+v %v", step, err)
	}
	// Even an early poll learns the denial, and keeps learning it until the code expires.
	for range 2 {
		_, perr := e.poll("tv", resp.DeviceCode)
		wantErr(t, perr, CodeAccessDenied, http.StatusBadRequest)
	}
	// The code cannot be entered again.
	if _, err := e.verify(resp.UserCode, true); !errors.Is(err, ErrUnknownUserCode) {
		t.Fatalf("a denied code entered again: %v", err)
	}
}

func TestDeviceExpiry(t *testing.T) {
	e := newTokenEnv(t, withDevice)
	pending := e.startDevice("tv")
	approved := e.startDevice("tv")
	if _, err := e.verify(approved.UserCode, true); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * time.Minute)
	for _, dc := range []string{pending.DeviceCode, approved.DeviceCode} {
		_, err := e.poll("tv", dc)
		wantErr(t, err, CodeExpiredToken, http.StatusBadRequest)
	}
	if _, err := e.p.StartDeviceVerification(e.ctx, pending.UserCode, "b"); !errors.Is(err, ErrUnknownUserCode) {
		t.Fatalf("an expired user code was accepted: %v", err)
	}
	// Long after, the record is gone: the code is simply unknown.
	e.clock.Advance(deviceExpiredKept)
	_, err := e.poll("tv", pending.DeviceCode)
	wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
}

func TestDevicePollErrors(t *testing.T) {
	e := newTokenEnv(t, withDevice)
	resp := e.startDevice("tv")
	tests := []struct {
		name   string
		cr     ClientCredentials
		dc     string
		code   string
		status int
	}{
		{"missing device_code", e.creds("tv"), "", CodeInvalidRequest, http.StatusBadRequest},
		{"not a device code", e.creds("tv"), "ac_x", CodeInvalidGrant, http.StatusBadRequest},
		{"unknown device code", e.creds("tv"), "dc_unknown", CodeInvalidGrant, http.StatusBadRequest},
		{"another client's device code", e.creds("tvconf"), resp.DeviceCode, CodeInvalidGrant, http.StatusBadRequest},
		{"client not registered for the grant", e.creds("web"), resp.DeviceCode, CodeUnauthorizedClient, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.token(tt.cr, "grant_type", GrantDeviceCode, "device_code", tt.dc)
			wantErr(t, err, tt.code, tt.status)
		})
	}
	// Another client's poll did not count as the device's poll: the device's first poll is not slow_down.
	_, err := e.poll("tv", resp.DeviceCode)
	wantErr(t, err, CodeAuthorizationPending, http.StatusBadRequest)
}

// TestDeviceUserCodeMatch: the code is matched ignoring case, dashes and spaces (RFC 8628 §6.1).
func TestDeviceUserCodeMatch(t *testing.T) {
	e := newTokenEnv(t, withDevice)
	resp := e.startDevice("tv")
	typed := strings.ToLower(strings.ReplaceAll(resp.UserCode, "-", " "))
	ix, err := e.p.StartDeviceVerification(e.ctx, typed, "browser")
	if err != nil || ix.DeviceCodeID != Digest(resp.DeviceCode) || ix.ClientID != "tv" || ix.RedirectURI != "" {
		t.Fatalf("verification of %q: %+v %v", typed, ix, err)
	}
	for _, wrong := range []string{"BCDF-GHJK", "nonsense", ""} {
		if _, err := e.p.StartDeviceVerification(e.ctx, wrong, "browser"); !errors.Is(err, ErrUnknownUserCode) {
			t.Errorf("%q: %v", wrong, err)
		}
	}
}

// TestDeviceIDToken: an id_token when openid was granted, from the OIDC layer, with the approval's auth_time.
func TestDeviceIDToken(t *testing.T) {
	var got *IssuedTokens
	e := newTokenEnv(t, withDevice, func(o *Options) {
		o.OIDC = fakeOIDC{idToken: func(it *IssuedTokens) (string, error) { got = it; return "eyJ.device", nil }}
	})
	resp := e.startDevice("tv", ScopeOpenID)
	if _, err := e.verify(resp.UserCode, true); err != nil {
		t.Fatal(err)
	}
	tok, err := e.poll("tv", resp.DeviceCode)
	if err != nil || tok.IDToken != "eyJ.device" || got.GrantType != GrantDeviceCode || got.User.ID != e.alice.ID ||
		got.AuthTime.IsZero() || tok.RefreshToken != "" {
		t.Fatalf("tokens %+v %v, issued %+v", tok, err, got)
	}
}

// TestDeviceRedeemRace: racing polls after approval get the tokens exactly once (the others are replays, which
// end the chain, as for racing code exchanges).
func TestDeviceRedeemRace(t *testing.T) {
	e := newTokenEnv(t, withDevice)
	resp := e.startDevice("tv")
	if _, err := e.verify(resp.UserCode, true); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.p.Token(context.Background(), &TokenRequest{Client: e.creds("tv"),
				Params: params("grant_type", GrantDeviceCode, "device_code", resp.DeviceCode)}); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d polls got tokens, want exactly 1", wins)
	}
}
