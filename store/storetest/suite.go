package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/store"
)

// Opener opens the backend under test on the data set named dir, with clock as its only time source. A second
// call with the same dir, after Close, must see everything written before; a new dir starts empty. It fails
// t (t.Fatal) when the backend cannot open; the suite closes every store it gets.
type Opener func(t *testing.T, dir string, clock store.Clock) store.Store

// Run runs the whole suite against the backend opened by open.
func Run(t *testing.T, open Opener) {
	t.Helper()
	groups := []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"Clients", testClients},
		{"Consents", testConsents},
		{"Grants", testGrants},
		{"GrantUse", testGrantUse},
		{"Tokens", testTokens},
		{"Codes", testCodes},
		{"DeviceCodes", testDeviceCodes},
		{"DevicePoll", testDevicePoll},
		{"Redeem", testRedeem},
		{"CodeWithGrant", testCodeWithGrant},
		{"Keys", testKeys},
		{"Interactions", testInteractions},
		{"RevokedClients", testRevokedClients},
		{"AdminTokens", testAdminTokens},
		{"Leases", testLeases},
		{"Instances", testInstances},
		{"DPoPProofs", testDPoPProofs},
		{"Races", testRaces},
		{"HostIsolation", testHostIsolation},
		{"Transfer", testTransfer},
		{"Durability", testDurability},
		{"Closed", testClosed},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, open) })
	}
}

// Hosts used by the suite; hostB exists to check that nothing leaks between hosts.
const (
	hostA = "host-a"
	hostB = "host-b"
)

// t0 is where every fake clock starts: whole seconds in UTC, so records round-trip through any backend's
// time type unchanged.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// env is one test's backend: its own data set, clock and store.
type env struct {
	t     *testing.T
	ctx   context.Context
	open  Opener
	dir   string
	clock *testclock.Clock
	s     store.Store
}

// newEnv opens a fresh backend for a parallel test and closes it when the test ends.
func newEnv(t *testing.T, open Opener) *env {
	t.Helper()
	t.Parallel()
	e := &env{t: t, ctx: t.Context(), open: open, dir: t.TempDir(), clock: testclock.New(t0)}
	e.s = open(t, e.dir, e.clock.Now)
	t.Cleanup(func() { _ = e.s.Close() })
	return e
}

// reopen closes the store and opens the same data set again, as after a restart.
func (e *env) reopen() {
	e.t.Helper()
	if err := e.s.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}
	e.s = e.open(e.t, e.dir, e.clock.Now)
}

// now is the fake clock's time.
func (e *env) now() time.Time { return e.clock.Now() }

// must fails the test on an error.
func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("unexpected error: %v", err)
	}
}

// is fails the test unless errors.Is(err, want) (or err is nil when want is nil). what names the call.
func (e *env) is(what string, err, want error) {
	e.t.Helper()
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		e.t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

// same fails the test unless got and want (pointers to entity structs) hold the same record. Times are
// compared as instants and an empty slice equals nil, so a backend may return UTC or local times and either.
func same[T any](t *testing.T, what string, got, want *T) {
	t.Helper()
	if got == nil || want == nil {
		if got != want {
			t.Errorf("%s = %+v, want %+v", what, got, want)
		}
		return
	}
	g, w := normalize(*got), normalize(*want)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

// normalize returns a copy of the struct v with times in UTC without monotonic reading and empty slices nil.
func normalize[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	for i := range rv.NumField() {
		f := rv.Field(i)
		switch {
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(f.Interface().(time.Time).UTC()))
		case f.Kind() == reflect.Slice && f.Len() == 0:
			f.Set(reflect.Zero(f.Type()))
		}
	}
	return v
}

// racers is how many goroutines race for one-time artifacts.
const racers = 8

// oneWinner checks that exactly one of errs is nil and every other one is loser.
func oneWinner(t *testing.T, errs []error, loser error) {
	t.Helper()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, loser):
			t.Errorf("racer %d: error %v, want nil or %v", i, err, loser)
		}
	}
	if wins != 1 {
		t.Errorf("%d racers won, want exactly 1", wins)
	}
}
