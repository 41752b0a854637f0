package token

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestSigners(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	old := e.ensured(t, func(o *Options) { o.Algorithms = []string{ES256} })
	// A Manager keeping one more algorithm, before its Ensure: that algorithm has no key.
	m := e.manager(t, func(o *Options) { o.Algorithms = []string{ES256, EdDSA} })
	signing, missing, err := m.Signers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(signing) != 1 || signing[0].Algorithm != ES256 || !slices.Equal(missing, []string{EdDSA}) {
		t.Fatalf("before Ensure: signing %+v, missing %v; want ES256 signing, EdDSA missing", signing, missing)
	}
	if err := m.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	signing, missing, err = m.Signers(ctx)
	if err != nil || len(missing) != 0 || !slices.Equal(algsOf(signing), []string{ES256, EdDSA}) {
		t.Fatalf("after Ensure: signing %+v, missing %v, %v", signing, missing, err)
	}
	// After a rotation, the successor is the signer once its publication lead has passed.
	first := signing[0]
	next, err := old.Rotate(ctx, ES256)
	if err != nil {
		t.Fatal(err)
	}
	if signing, _, _ = m.Signers(ctx); signing[0].KID != first.KID {
		t.Fatalf("the successor signs before its NotBefore: %+v", signing[0])
	}
	e.clock.Advance(DefaultPublishAhead + time.Minute)
	m2 := e.manager(t, func(o *Options) { o.Algorithms = []string{ES256, EdDSA} })
	if signing, _, _ = m2.Signers(ctx); signing[0].KID != next.KID || signing[0].State != StateSigning {
		t.Fatalf("after the lead: %+v, want %s signing", signing[0], next.KID)
	}
}
