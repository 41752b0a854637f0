package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

const interactionTTL = 15 * time.Minute

func (e *env) newInteraction(host, id string) *store.Interaction {
	return &store.Interaction{
		ID: id, Host: host, Browser: "b1", ClientID: "c1", RedirectURI: "https://c1.example.org/cb", ResponseType: "code",
		Scopes: []string{"openid"}, State: "st", CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256", MaxAge: -1, CreatedAt: e.now(), ExpiresAt: e.now().Add(interactionTTL),
	}
}

// testInteractions covers InteractionStore: Put/Get round trip, Put as an update, Consume once, a used
// interaction can neither be read as live nor replaced, expiry, racing consumers and host isolation.
func testInteractions(t *testing.T, open Opener) {
	t.Run("Lifecycle", func(t *testing.T) {
		e := newEnv(t, open)
		x := e.newInteraction(hostA, "i1")
		e.must(e.s.Interactions().Put(e.ctx, x))
		got, err := e.s.Interactions().Get(e.ctx, hostA, "i1")
		e.must(err)
		same(t, "Get", got, x)

		x.UserID, x.AuthTime, x.LoggedIn = "u1", e.now(), true
		e.must(e.s.Interactions().Put(e.ctx, x))
		got, err = e.s.Interactions().Get(e.ctx, hostA, "i1")
		e.must(err)
		same(t, "Get after update", got, x)

		_, err = e.s.Interactions().Get(e.ctx, hostB, "i1")
		e.is("Get on another host", err, store.ErrNotFound)

		used, err := e.s.Interactions().Consume(e.ctx, hostA, "i1")
		e.must(err)
		if used.UsedAt.IsZero() || used.UserID != "u1" {
			t.Fatalf("Consume returned %+v", used)
		}
		_, err = e.s.Interactions().Consume(e.ctx, hostA, "i1")
		e.is("Consume again", err, store.ErrAlreadyUsed)
		_, err = e.s.Interactions().Get(e.ctx, hostA, "i1")
		e.is("Get used", err, store.ErrAlreadyUsed)
		e.is("Put used", e.s.Interactions().Put(e.ctx, x), store.ErrAlreadyUsed)
		_, err = e.s.Interactions().Consume(e.ctx, hostA, "nope")
		e.is("Consume unknown", err, store.ErrNotFound)
	})

	t.Run("Expiry", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Interactions().Put(e.ctx, e.newInteraction(hostA, "i1")))
		e.clock.Advance(interactionTTL - time.Second)
		_, err := e.s.Interactions().Get(e.ctx, hostA, "i1")
		e.must(err)
		e.clock.Advance(time.Second)
		_, err = e.s.Interactions().Get(e.ctx, hostA, "i1")
		e.is("Get at ExpiresAt", err, store.ErrNotFound)
		_, err = e.s.Interactions().Consume(e.ctx, hostA, "i1")
		e.is("Consume at ExpiresAt", err, store.ErrNotFound)
	})

	// A pushed authorization request (RFC 9126) is kept as an interaction whose Request holds the pushed
	// parameters, under the digest of its request_uri: they round-trip exactly, it is consumed once, and it
	// expires at its ExpiresAt (a minute, where an interaction has half an hour).
	t.Run("PushedRequest", func(t *testing.T) {
		e := newEnv(t, open)
		const id = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
		x := &store.Interaction{ID: id, Host: hostA, ClientID: "c1", MaxAge: -1, Request: map[string]string{
			"client_id": "c1", "response_type": "code", "redirect_uri": "https://c1.example.org/cb",
			"scope": "openid profile", "state": "st \"quoted\" ü", "code_challenge_method": "S256"},
			CreatedAt: e.now(), ExpiresAt: e.now().Add(time.Minute)}
		e.must(e.s.Interactions().Put(e.ctx, x))
		got, err := e.s.Interactions().Get(e.ctx, hostA, id)
		e.must(err)
		same(t, "Get", got, x)
		used, err := e.s.Interactions().Consume(e.ctx, hostA, id)
		e.must(err)
		if used.Request["state"] != x.Request["state"] || used.UsedAt.IsZero() {
			t.Fatalf("Consume returned %+v", used)
		}
		_, err = e.s.Interactions().Consume(e.ctx, hostA, id)
		e.is("Consume again", err, store.ErrAlreadyUsed)

		x.ID = "other"
		e.must(e.s.Interactions().Put(e.ctx, x))
		e.clock.Advance(time.Minute)
		_, err = e.s.Interactions().Consume(e.ctx, hostA, "other")
		e.is("Consume at ExpiresAt", err, store.ErrNotFound)
	})

	t.Run("RacingConsume", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Interactions().Put(e.ctx, e.newInteraction(hostA, "i1")))
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := e.s.Interactions().Consume(e.ctx, hostA, "i1"); err == nil {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d consumers won, want exactly 1", wins.Load())
		}
	})
}
