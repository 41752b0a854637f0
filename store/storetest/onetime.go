package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assentry/assentry/store"
)

// OneTime names a kind of one-time artifact: of the requests that race to use one, exactly one may win.
type OneTime string

// The one-time artifacts RaceOneTime races for.
const (
	RaceCodes       OneTime = "Codes.Consume"
	RaceRefresh     OneTime = "Tokens.Rotate"
	RaceDeviceCodes OneTime = "DeviceCodes.Consume"
)

// OneTimeKinds lists every OneTime, in the order the suite runs them.
var OneTimeKinds = []OneTime{RaceCodes, RaceRefresh, RaceDeviceCodes}

// raceArtifacts is how many fresh artifacts of each kind RaceOneTime races for, one after the other, racers
// goroutines each. One race proves little: the scheduler may well run the racers one after the other, each
// finding the artifact used by the one before. Measured against Badger wrapped in a consume that reads, then
// writes without checking again (store/badger's broken_test.go), 20 runs each, with and without group commit:
// one race per run caught it in 1 to 5 runs without -race and 4 to 17 with it, or in 18 to 20 either way when
// the broken consume yields between the two; 200 artifacts caught all of them in 20 runs of 20 (once 19 under
// heavy load on the machine, for the consume that does not yield).
const raceArtifacts = 200

// RaceOneTime stores raceArtifacts fresh artifacts of kind in s (on the host "race", with times taken from
// now), then, one artifact after the other, starts racers goroutines released together by a barrier, every one
// of them consuming (rotating) the artifact and storing a token of its own in the same write. It returns every
// violation of the contract, empty when there is none: an artifact with no winner or more than one, a loser
// whose error is not ErrAlreadyUsed, a loser's token that was stored, a winner's that was not. An error in
// setting up the artifacts is returned as the only violation.
//
// The conformance suite runs it for every backend; a backend's own tests may run it against a deliberately
// broken wrapper to prove that it catches a non-atomic consume.
func RaceOneTime(ctx context.Context, s store.Store, kind OneTime, now time.Time) []string {
	const host = "race"
	r := racePlan{ctx: ctx, s: s, host: host, now: now}
	if err := r.setup(kind); err != nil {
		return []string{fmt.Sprintf("%s: setting up the artifacts: %v", kind, err)}
	}
	errs := make([][]error, raceArtifacts)
	for a := range errs {
		errs[a] = raceSpinning(racers, func(i int) error { return r.consume(kind, a, i) })
	}

	var bad []string
	for a, es := range errs {
		wins := 0
		for i, err := range es {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, store.ErrAlreadyUsed):
				bad = append(bad, fmt.Sprintf("%s artifact %d racer %d: error %v, want nil or %v", kind, a, i, err, store.ErrAlreadyUsed))
			}
			// A loser's write stores nothing; a winner's token is there.
			_, terr := s.Tokens().Get(ctx, host, r.tokenID(a, i))
			if want := err == nil; want != (terr == nil) {
				bad = append(bad, fmt.Sprintf("%s artifact %d racer %d (error %v): its token gives %v", kind, a, i, err, terr))
			}
		}
		if wins != 1 {
			bad = append(bad, fmt.Sprintf("%s artifact %d: %d racers won, want exactly 1", kind, a, wins))
		}
	}
	return bad
}

// racePlan names and makes the artifacts of one RaceOneTime run.
type racePlan struct {
	ctx  context.Context
	s    store.Store
	host string
	now  time.Time
}

func (r *racePlan) artifactID(a int) string { return fmt.Sprint("one-time-", a) }
func (r *racePlan) grantID(a int) string    { return fmt.Sprint("g-", a) }
func (r *racePlan) tokenID(a, i int) string { return fmt.Sprint("tok-", a, "-", i) }

// grant is artifact a's grant, live for a day.
func (r *racePlan) grant(a int) *store.Grant {
	return &store.Grant{ID: r.grantID(a), Host: r.host, UserID: "u1", ClientID: "c1", Scopes: []string{"openid", "offline_access"},
		AuthTime: r.now, CreatedAt: r.now, ExpiresAt: r.now.Add(24 * time.Hour)}
}

// token is a token of artifact a's grant: the access token racer i stores, or (i < 0) the refresh token raced for.
func (r *racePlan) token(a, i int) *store.Token {
	id, kind, ttl := r.tokenID(a, i), store.AccessToken, accessTTL
	if i < 0 {
		id, kind, ttl = r.artifactID(a), store.RefreshToken, refreshTTL
	}
	return &store.Token{ID: id, Host: r.host, Kind: kind, GrantID: r.grantID(a), ClientID: "c1", UserID: "u1",
		Scopes: []string{"openid"}, IssuedAt: r.now, ExpiresAt: r.now.Add(ttl)}
}

// setup stores every artifact of kind, each with its own grant. The writes run concurrently, as the server
// would make them, so a backend with group commit makes them in few syncs.
func (r *racePlan) setup(kind OneTime) error {
	errs := make([]error, raceArtifacts)
	var wg sync.WaitGroup
	for a := range raceArtifacts {
		wg.Go(func() { errs[a] = r.put(kind, a) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (r *racePlan) put(kind OneTime, a int) error {
	switch kind {
	case RaceCodes:
		return r.s.Codes().Put(r.ctx, &store.Code{ID: r.artifactID(a), Host: r.host, GrantID: r.grantID(a), ClientID: "c1",
			UserID: "u1", RedirectURI: "https://c1.example.org/cb", Scopes: []string{"openid"}, AuthTime: r.now,
			IssuedAt: r.now, ExpiresAt: r.now.Add(codeTTL)}, r.grant(a))
	case RaceRefresh:
		return r.s.Grants().Create(r.ctx, r.grant(a), r.token(a, -1))
	case RaceDeviceCodes:
		if err := r.s.Grants().Create(r.ctx, r.grant(a)); err != nil {
			return err
		}
		return r.s.DeviceCodes().Put(r.ctx, &store.DeviceCode{ID: r.artifactID(a), Host: r.host,
			UserCode: fmt.Sprintf("RACE%04d", a), ClientID: "c1", Scopes: []string{"openid"}, Status: "approved",
			UserID: "u1", GrantID: r.grantID(a), Interval: 5, IssuedAt: r.now, ExpiresAt: r.now.Add(10 * time.Minute)})
	}
	return fmt.Errorf("unknown one-time artifact %q", kind)
}

// consume is racer i's attempt on artifact a. A win that returns no record counts as an error.
func (r *racePlan) consume(kind OneTime, a, i int) error {
	id, tok := r.artifactID(a), r.token(a, i)
	var got bool
	var err error
	switch kind {
	case RaceCodes:
		var c *store.Code
		c, err = r.s.Codes().Consume(r.ctx, r.host, id, tok)
		got = c != nil
	case RaceRefresh:
		var k *store.Token
		k, err = r.s.Tokens().Rotate(r.ctx, r.host, id, tok)
		got = k != nil
	case RaceDeviceCodes:
		var d *store.DeviceCode
		d, err = r.s.DeviceCodes().Consume(r.ctx, r.host, id, tok)
		got = d != nil
	default:
		return fmt.Errorf("unknown one-time artifact %q", kind)
	}
	if !got && (err == nil || errors.Is(err, store.ErrAlreadyUsed)) {
		return fmt.Errorf("no record returned with %v", err)
	}
	return err
}

// raceSpinning runs fn(0..n-1) in n goroutines released together and returns their errors. Unlike race, the
// goroutines do not park on the barrier, to be woken one after the other on one processor: each yields in a
// loop until all n have arrived, so when it opens they are running or runnable on every processor.
func raceSpinning(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var arrived atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			arrived.Add(1)
			for arrived.Load() < int32(n) {
				runtime.Gosched()
			}
			errs[i] = fn(i)
		})
	}
	wg.Wait()
	return errs
}
