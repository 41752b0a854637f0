package oauth

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assentry/assentry/core/ratelimit"
	"github.com/assentry/assentry/internal/testlog"
	"github.com/assentry/assentry/store"
)

// The throttle of failed client authentications (RFC 6749 §2.3.1), on the token environment's injected clock:
// 3 failures per (client_id, address) and 5 per address, one more every 20 s.

const (
	throttlePairBurst = 3
	throttleAddrBurst = 5
	throttleRefill    = 20 * time.Second
)

// countingSource counts client lookups: a throttled attempt must not reach the client, let alone its secret.
type countingSource struct {
	ClientSource
	n atomic.Int64
}

func (c *countingSource) Get(ctx context.Context, id string) (*store.Client, error) {
	c.n.Add(1)
	return c.ClientSource.Get(ctx, id)
}

type throttleEnv struct {
	*tokenEnv
	lookups *countingSource
	logs    *testlog.Buffer
}

func newThrottleEnv(t *testing.T) *throttleEnv {
	te := &throttleEnv{logs: &testlog.Buffer{}}
	te.tokenEnv = newTokenEnv(t, func(o *Options) {
		te.lookups = &countingSource{ClientSource: o.Clients}
		o.Clients = te.lookups
		o.Log = slog.New(slog.NewTextHandler(te.logs, nil))
		o.Settings.GrantTypes = append(o.Settings.GrantTypes, GrantDeviceCode)
		o.ClientAuthLimits = ClientAuthLimits{PerClientIP: ratelimit.New(throttlePairBurst, throttleRefill, o.Now),
			PerIP: ratelimit.New(throttleAddrBurst, throttleRefill, o.Now)}
	})
	return te
}

// auth authenticates cr from addr.
func (e *throttleEnv) auth(cr ClientCredentials, addr string) (*store.Client, *Error) {
	return e.p.AuthenticateClient(e.ctx, cr, addr)
}

// mustAuth expects cr from addr to authenticate as client.
func (e *throttleEnv) mustAuth(t *testing.T, what string, cr ClientCredentials, addr, client string) {
	t.Helper()
	c, err := e.auth(cr, addr)
	if err != nil || c.ID != client {
		t.Fatalf("%s: got %v, %v; want client %s", what, c, err, client)
	}
}

// mustFail expects cr from addr to be refused with invalid_client.
func (e *throttleEnv) mustFail(t *testing.T, what string, cr ClientCredentials, addr string) {
	t.Helper()
	_, err := e.auth(cr, addr)
	if err == nil || err.Code != CodeInvalidClient {
		t.Fatalf("%s: %v, want invalid_client", what, err)
	}
}

// wantThrottled expects err to be the 429 of a throttled client authentication, asking to wait retry.
func wantThrottled(t *testing.T, what string, err *Error, retry time.Duration) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want 429", what)
	}
	if err.Code != CodeTemporarilyUnavailable || err.Status != http.StatusTooManyRequests || err.RetryAfter() != retry {
		t.Fatalf("%s: %s (%d) Retry-After %v %q, want temporarily_unavailable (429) Retry-After %v",
			what, err.Code, err.Status, err.RetryAfter(), err.Description, retry)
	}
}

// TestClientAuthThrottlePerClientAndAddress: after the pair's burst of failures, the next attempt from that
// address is 429 with Retry-After even with the right secret, and is answered without reading the client; the
// right secret from another address, and another client from the same address, still authenticate; once the
// bucket has refilled the client gets in again.
func TestClientAuthThrottlePerClientAndAddress(t *testing.T) {
	e := newThrottleEnv(t)
	const attacker, elsewhere = "203.0.113.7", "198.51.100.20"
	for i := range throttlePairBurst {
		e.mustFail(t, "wrong secret", ClientCredentials{Authorization: basicHeader("web", "guess-"+string(rune('a'+i)))}, attacker)
	}
	before := e.lookups.n.Load()
	_, err := e.auth(e.creds("web"), attacker)
	wantThrottled(t, "the right secret from the throttled address", err, throttleRefill)
	if n := e.lookups.n.Load() - before; n != 0 {
		t.Fatalf("a throttled attempt read the client %d times: its secret must not be checked", n)
	}
	e.mustAuth(t, "the right secret from another address", e.creds("web"), elsewhere, "web")
	e.mustAuth(t, "another client from the throttled address", e.creds("other"), attacker, "other")

	e.clock.Advance(throttleRefill - time.Second)
	_, err = e.auth(e.creds("web"), attacker)
	wantThrottled(t, "a second before the refill", err, time.Second)
	e.clock.Advance(time.Second)
	e.mustAuth(t, "after the refill", e.creds("web"), attacker, "web")
}

// TestClientAuthThrottlePerAddress: failures from one address add up across client_ids (known ones with a wrong
// secret, unknown ones), so a guesser cannot spray client_ids; the cap holds for every client from that address
// and for no other address.
func TestClientAuthThrottlePerAddress(t *testing.T) {
	e := newThrottleEnv(t)
	const attacker, elsewhere = "2001:db8::7", "2001:db8::8"
	for _, cr := range []ClientCredentials{
		{Authorization: basicHeader("web", "x")}, {Authorization: basicHeader("other", "x")}, {ID: "post", Secret: "x"},
		{Authorization: basicHeader("ghost-1", "x")}, {ID: "ghost-2", Secret: "x"},
	} {
		e.mustFail(t, "spraying client_ids", cr, attacker)
	}
	_, err := e.auth(e.creds("rs"), attacker)
	wantThrottled(t, "a client that never failed, from the capped address", err, throttleRefill)
	_, err = e.auth(e.creds("spa"), attacker)
	wantThrottled(t, "a public client from the capped address", err, throttleRefill)
	e.mustAuth(t, "the same client from another address", e.creds("rs"), elsewhere, "rs")
}

// TestClientAuthThrottleCountsFailuresOnly: successes neither consume the budget nor reset it (a success from a
// shared address must not hand a guesser there fresh tries); refusals that guess nothing (no credentials, a
// malformed header, a public client trying Basic as golang.org/x/oauth2's auto-detection does) are not counted;
// an unknown client_id is counted on its pair like a known one, so the 429 tells nothing about which exist.
func TestClientAuthThrottleCountsFailuresOnly(t *testing.T) {
	e := newThrottleEnv(t)
	const addr = "192.0.2.10"
	for range 3 * throttleAddrBurst {
		e.mustAuth(t, "success", e.creds("web"), addr, "web")
		e.mustFail(t, "no credentials", ClientCredentials{}, addr)
		e.mustFail(t, "malformed Basic", ClientCredentials{Authorization: "Basic !!!"}, addr)
		e.mustFail(t, "public client via Basic", ClientCredentials{Authorization: basicHeader("spa", "")}, addr)
		e.mustFail(t, "Basic client in the body", ClientCredentials{ID: "web", Secret: "web-secret"}, addr)
	}
	e.mustAuth(t, "public client in the body", e.creds("spa"), addr, "spa")

	// No reset: two failures, a success, one more failure use up the pair's three.
	e.mustFail(t, "failure 1", ClientCredentials{Authorization: basicHeader("web", "nope")}, addr)
	e.mustFail(t, "failure 2", ClientCredentials{Authorization: basicHeader("web", "nope")}, addr)
	e.mustAuth(t, "success between failures", e.creds("web"), addr, "web")
	e.mustFail(t, "failure 3", ClientCredentials{Authorization: basicHeader("web", "nope")}, addr)
	_, err := e.auth(e.creds("web"), addr)
	wantThrottled(t, "after three failures around a success", err, throttleRefill)

	// An unknown client_id from another address: throttled at the same count, with the same answer.
	const other = "192.0.2.11"
	for range throttlePairBurst {
		e.mustFail(t, "unknown client", ClientCredentials{Authorization: basicHeader("ghost", "x")}, other)
	}
	_, err = e.auth(ClientCredentials{Authorization: basicHeader("ghost", "x")}, other)
	wantThrottled(t, "unknown client after its pair's burst", err, throttleRefill)
}

// TestClientAuthThrottleShared: the four endpoints that authenticate clients share the buckets: failures at
// one count at the others, and a throttled pair is refused at each.
func TestClientAuthThrottleShared(t *testing.T) {
	e := newThrottleEnv(t)
	const addr = "203.0.113.9"
	tr := Transport{ClientAddr: addr}
	wrong := ClientCredentials{Authorization: basicHeader("tvconf", "wrong")}
	right := e.creds("tvconf")
	calls := []struct {
		name string
		call func(ClientCredentials) *Error
	}{
		{"token", func(cr ClientCredentials) *Error {
			_, err := e.p.Token(e.ctx, &TokenRequest{Params: params("grant_type", GrantClientCredentials), Client: cr, Transport: tr})
			return err
		}},
		{"revocation", func(cr ClientCredentials) *Error {
			return e.p.Revoke(e.ctx, &RevocationRequest{Params: params("token", "at_x"), Client: cr, Transport: tr})
		}},
		{"introspection", func(cr ClientCredentials) *Error {
			_, err := e.p.Introspect(e.ctx, &IntrospectionRequest{Params: params("token", "at_x"), Client: cr, Transport: tr})
			return err
		}},
		{"device authorization", func(cr ClientCredentials) *Error {
			_, err := e.p.DeviceAuthorization(e.ctx, &DeviceAuthorizationRequest{Params: params(), Client: cr, Transport: tr})
			return err
		}},
	}
	for _, c := range calls[:throttlePairBurst] {
		wantErr(t, c.call(wrong), CodeInvalidClient, http.StatusUnauthorized)
	}
	for _, c := range calls {
		wantThrottled(t, c.name+" with the right secret", c.call(right), throttleRefill)
	}
}

// TestClientAuthThrottleLogsOnce: when a pair becomes throttled one warning says which client_id and address,
// never the secret; the throttled attempts that follow log nothing more.
func TestClientAuthThrottleLogsOnce(t *testing.T) {
	e := newThrottleEnv(t)
	const addr = "203.0.113.50"
	for i := range throttlePairBurst + 5 {
		_, _ = e.auth(ClientCredentials{Authorization: basicHeader("web", "s3cret-guess")}, addr)
		if i == 0 && strings.Contains(e.logs.String(), "throttl") {
			t.Fatalf("a warning after one failure:\n%s", e.logs.String())
		}
	}
	logs := e.logs.String()
	var warns []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "level=WARN") && strings.Contains(l, "throttl") {
			warns = append(warns, l)
		}
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "client_id=web") || !strings.Contains(warns[0], "ip="+addr) {
		t.Fatalf("want one warning naming client_id=web and ip=%s; logs:\n%s", addr, logs)
	}
	if strings.Contains(logs, "s3cret-guess") {
		t.Fatalf("the log holds the secret:\n%s", logs)
	}
}
