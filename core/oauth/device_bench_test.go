package oauth

import (
	"context"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// The device and implicit grants' handlers on durable Badger (every write synced), as the code exchange and
// refresh benchmarks measure theirs. Store transactions per operation are in each comment.

// BenchmarkDeviceAuthorization: POST /oauth2/device's core: authenticate the client, draw a user code, store the
// device code (one write, with the user-code uniqueness check in it).
func BenchmarkDeviceAuthorization(b *testing.B) {
	e := newTokenEnv(b, withDevice)
	b.ReportAllocs()
	for b.Loop() {
		e.startDevice("tv", ScopeOpenID)
	}
}

// BenchmarkDevicePollPending: a device polling on time while the user has not decided: read the code, then record
// the poll (one write), answer authorization_pending.
func BenchmarkDevicePollPending(b *testing.B) {
	e := newTokenEnv(b, withDevice)
	var dc string
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%100 == 0 { // a fresh code before 100 polls of 5 s reach its 10 minutes
			b.StopTimer()
			dc = e.startDevice("tv").DeviceCode
			b.StartTimer()
		}
		e.clock.Advance(DeviceInterval * time.Second)
		if _, err := e.poll("tv", dc); err == nil || err.Code != CodeAuthorizationPending {
			b.Fatalf("poll: %v", err)
		}
	}
}

// BenchmarkDeviceRedeem: the poll after approval: read the code, the scope chain, then consume it and store the
// access and refresh tokens in one write. Device authorization and approval run outside the timer.
func BenchmarkDeviceRedeem(b *testing.B) {
	e := newTokenEnv(b, withDevice)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		da := e.startDevice("tv", ScopeOpenID, ScopeOfflineAccess)
		if _, err := e.verify(da.UserCode, true); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := e.poll("tv", da.DeviceCode); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImplicitIssue: the end of an approved implicit authorization: the scope chain, an access token, and the
// new grant with its token in one write; the fragment redirect built.
func BenchmarkImplicitIssue(b *testing.B) {
	p, st := newImplicitProviderTB(b)
	ctx := context.Background()
	u := &store.User{ID: "u-1", Host: "h", Username: "alice", Roles: []string{"user"}}
	if err := st.Users().Create(ctx, u); err != nil {
		b.Fatal(err)
	}
	client, err := p.Clients.Get(ctx, "spa")
	if err != nil {
		b.Fatal(err)
	}
	ix := &store.Interaction{ID: "ix", Host: "h", ClientID: "spa", RedirectURI: "https://spa.example.com/cb",
		ResponseType: ResponseTypeToken, State: "s", AuthTime: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.issueImplicit(ctx, ix, client, u, []string{ScopeOpenID}); err != nil {
			b.Fatal(err)
		}
	}
}
