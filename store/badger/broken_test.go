package badger

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/storetest"
)

// brokenStore is a deliberately broken backend for the suite's own test: it consumes one-time artifacts in two
// steps, a read that checks the artifact is unused and a write that marks it used without checking again, as a
// backend would without a transaction around both. With yield the goroutine yields between the two, which
// widens the window; without it the window is only what the store takes between them. Everything else is the
// real store.
type brokenStore struct {
	*Store
	yield bool
}

func (b brokenStore) Codes() store.CodeStore   { return brokenCodes{codeStore{b.Store}, b.between} }
func (b brokenStore) Tokens() store.TokenStore { return brokenTokens{tokenStore{b.Store}, b.between} }
func (b brokenStore) DeviceCodes() store.DeviceCodeStore {
	return brokenDeviceCodes{deviceCodeStore{b.Store}, b.between}
}

// between runs between the read and the write.
func (b brokenStore) between() {
	if b.yield {
		runtime.Gosched()
	}
}

type brokenCodes struct {
	codeStore
	between func()
}

// Consume reads, then writes: two racers can both read the code unused.
func (bc brokenCodes) Consume(ctx context.Context, host, id string, toks ...*store.Token) (*store.Code, error) {
	c, err := bc.Get(ctx, host, id)
	if err != nil {
		return c, err
	}
	bc.between()
	return c, bc.s.update(ctx, func(t *txn) error {
		used := *c
		used.UsedAt = t.now
		if err := codeTable.put(t, &used, host, id); err != nil {
			return err
		}
		return putGrantTokens(t, host, c.GrantID, toks)
	})
}

type brokenTokens struct {
	tokenStore
	between func()
}

// Rotate reads, then writes, as brokenCodes.Consume.
func (bt brokenTokens) Rotate(ctx context.Context, host, id string, next ...*store.Token) (*store.Token, error) {
	k, err := bt.Get(ctx, host, id)
	if err != nil {
		return k, err
	}
	bt.between()
	return k, bt.s.update(ctx, func(t *txn) error {
		used := *k
		used.UsedAt = t.now
		if err := tokenTable.put(t, &used, host, id); err != nil {
			return err
		}
		return putGrantTokens(t, host, k.GrantID, next)
	})
}

type brokenDeviceCodes struct {
	deviceCodeStore
	between func()
}

// Consume reads, then writes, as brokenCodes.Consume.
func (bd brokenDeviceCodes) Consume(ctx context.Context, host, id string, toks ...*store.Token) (*store.DeviceCode, error) {
	d, err := bd.Get(ctx, host, id)
	switch {
	case err != nil:
		return d, err
	case !d.UsedAt.IsZero():
		return d, fmt.Errorf("device code %s: %w", id, store.ErrAlreadyUsed)
	case d.Status != store.DeviceApproved:
		return d, fmt.Errorf("device code %s is %q: %w", id, d.Status, store.ErrConflict)
	}
	bd.between()
	return d, bd.s.update(ctx, func(t *txn) error {
		used := *d
		used.UsedAt = t.now
		if err := deviceCodeTable.put(t, &used, host, id); err != nil {
			return err
		}
		return putGrantTokens(t, host, d.GrantID, toks)
	})
}

// TestRaceCatchesNonAtomicConsume proves that the conformance suite's race for one-time artifacts
// (storetest.RaceOneTime) fails against a backend whose consume is not atomic, with group commit and without:
// this test passes only when the race reports a violation. The suite itself (TestConformance) runs the same race
// against the real store, where it must find none.
//
// The broken store yields between its read and its write. Without the yield (brokenStore{s, false}) the window
// is only the store's own work and the race catches it on about one artifact in ten, nearly always somewhere
// among the 200 but not in every run, so that case is measured, not asserted.
func TestRaceCatchesNonAtomicConsume(t *testing.T) {
	for _, mode := range []struct {
		name    string
		noGroup bool
	}{{"group", false}, {"no-group", true}} {
		for _, kind := range storetest.OneTimeKinds {
			t.Run(mode.name+"/"+string(kind), func(t *testing.T) {
				t.Parallel()
				s := openInternal(t, mode.noGroup)
				bad := storetest.RaceOneTime(t.Context(), brokenStore{s, true}, kind, time.Now())
				if len(bad) == 0 {
					t.Fatalf("the race found no violation in a consume that reads, yields, then writes")
				}
				t.Logf("caught: %d violations, the first: %s", len(bad), bad[0])
			})
		}
	}
}

// TestBrokenStoreIsOtherwiseSound checks the broken store alone, without racers: consumed once, each artifact
// refuses a second consume, so what the race catches is the race and nothing else.
func TestBrokenStoreIsOtherwiseSound(t *testing.T) {
	s := openInternal(t, false)
	b := brokenStore{s, true}
	ctx, now, host := t.Context(), time.Now(), "h"
	g := &store.Grant{ID: "g1", Host: host, UserID: "u1", ClientID: "c1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	rt := &store.Token{ID: "rt1", Host: host, Kind: store.RefreshToken, GrantID: "g1", ClientID: "c1", UserID: "u1",
		IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := b.Grants().Create(ctx, g, rt); err != nil {
		t.Fatal(err)
	}
	if err := b.Codes().Put(ctx, &store.Code{ID: "ac1", Host: host, GrantID: "g1", ClientID: "c1", UserID: "u1",
		IssuedAt: now, ExpiresAt: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := b.DeviceCodes().Put(ctx, &store.DeviceCode{ID: "dc1", Host: host, UserCode: "ABCDEFGH", ClientID: "c1",
		Status: store.DeviceApproved, GrantID: "g1", IssuedAt: now, ExpiresAt: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	consume := map[string]func() error{
		"code":        func() error { _, err := b.Codes().Consume(ctx, host, "ac1"); return err },
		"refresh":     func() error { _, err := b.Tokens().Rotate(ctx, host, "rt1"); return err },
		"device code": func() error { _, err := b.DeviceCodes().Consume(ctx, host, "dc1"); return err },
	}
	for name, fn := range consume {
		if err := fn(); err != nil {
			t.Errorf("%s, first consume: %v", name, err)
		}
		if err := fn(); !errors.Is(err, store.ErrAlreadyUsed) {
			t.Errorf("%s, second consume: %v, want ErrAlreadyUsed", name, err)
		}
	}
}
