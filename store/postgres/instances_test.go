package postgres_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/together"
	"github.com/assentry/assentry/store"
)

// TestTwoInstances runs what the conformance suite runs within one store across two stores (two pools, as two
// processes would have) on one database: a code redeemed at both at once succeeds once, a refresh token rotated
// at both at once is rotated once, and a grant revoked at one is revoked for the other's next read.
func TestTwoInstances(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	a, b := twoStores(t, func() time.Time { return now })
	stores := []store.Store{a, b}
	ctx, h := t.Context(), "h"

	g := &store.Grant{ID: "g", Host: h, UserID: "u", ClientID: "c", Scopes: []string{"openid"}, CreatedAt: now,
		ExpiresAt: now.Add(time.Hour)}
	c := &store.Code{ID: "code", Host: h, GrantID: "g", ClientID: "c", UserID: "u", IssuedAt: now,
		ExpiresAt: now.Add(time.Minute)}
	if err := a.Codes().Put(ctx, c, g); err != nil {
		t.Fatal(err)
	}
	token := func(id string, kind store.TokenKind) *store.Token {
		return &store.Token{ID: id, Host: h, Kind: kind, GrantID: "g", ClientID: "c", UserID: "u", IssuedAt: now,
			ExpiresAt: now.Add(2 * time.Hour)}
	}

	const n = 16
	wins := race(t, n, func(i int) error {
		_, err := stores[i%2].Codes().Consume(ctx, h, "code", token(fmt.Sprintf("rt%d", i), store.RefreshToken))
		return err
	})
	if len(wins) != 1 {
		t.Fatalf("code redeemed %d times at two instances, want once", len(wins))
	}
	rt := fmt.Sprintf("rt%d", wins[0])

	wins = race(t, n, func(i int) error {
		_, err := stores[i%2].Tokens().Rotate(ctx, h, rt, token(fmt.Sprintf("next%d", i), store.RefreshToken))
		return err
	})
	if len(wins) != 1 {
		t.Fatalf("refresh token rotated %d times at two instances, want once", len(wins))
	}
	next := fmt.Sprintf("next%d", wins[0])

	if err := a.Grants().Revoke(ctx, h, "g"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Tokens().Get(ctx, h, next); !errors.Is(err, store.ErrRevoked) {
		t.Fatalf("token of a grant revoked at the other instance: %v, want ErrRevoked", err)
	}
}

// race runs fn(0..n-1) at once and returns the indexes that succeeded; every other call must have failed with
// ErrAlreadyUsed.
func race(t *testing.T, n int, fn func(i int) error) []int {
	t.Helper()
	var wins []int
	for i, err := range together.Run(n, fn) {
		switch {
		case err == nil:
			wins = append(wins, i)
		case !errors.Is(err, store.ErrAlreadyUsed):
			t.Errorf("call %d: %v, want nil or ErrAlreadyUsed", i, err)
		}
	}
	return wins
}
