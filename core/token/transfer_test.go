package token

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestCheckAndMoveKey: a sealed key checks only under the KEK that sealed it; moved to another host id it opens
// there (a Manager of that host loads it) and no longer under the old id; a retired key and a plaintext one
// need no KEK.
func TestCheckAndMoveKey(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	first := e.manager(t, func(o *Options) { o.KEK = kekA })
	useFixtures(t, first)
	if err := first.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	keys := e.stored(t)
	if len(keys) == 0 {
		t.Fatal("no signing key stored")
	}
	const other = "h2"
	for _, k := range keys {
		if err := CheckKey(kekA, k); err != nil {
			t.Errorf("CheckKey %s with its KEK: %v", k.ID, err)
		}
		for name, kek := range map[string][]byte{"another KEK": kekB, "no KEK": nil} {
			if err := CheckKey(kek, k); !errors.Is(err, ErrUndecryptable) {
				t.Errorf("CheckKey %s with %s: %v, want ErrUndecryptable", k.ID, name, err)
			}
		}
		if _, err := MoveKey(kekB, k, other); !errors.Is(err, ErrUndecryptable) {
			t.Errorf("MoveKey %s with another KEK: %v, want ErrUndecryptable", k.ID, err)
		}
		m, err := MoveKey(kekA, k, other)
		if err != nil {
			t.Fatalf("MoveKey %s: %v", k.ID, err)
		}
		if m.Host != other || k.Host != testHost || CheckKey(kekA, m) != nil {
			t.Errorf("moved key %s: host %s (original %s), CheckKey %v", k.ID, m.Host, k.Host, CheckKey(kekA, m))
		}
		wrong := *m
		wrong.Host = testHost // the sealed half names its host: a copy under the old id does not open
		if err := CheckKey(kekA, &wrong); !errors.Is(err, ErrUndecryptable) {
			t.Errorf("moved key %s read as of its old host: %v, want ErrUndecryptable", k.ID, err)
		}
		if err := e.st.Keys().Create(ctx, m); err != nil {
			t.Fatal(err)
		}
		retired := *k
		retired.Private = nil
		if err := CheckKey(kekB, &retired); err != nil {
			t.Errorf("CheckKey of a retired key: %v", err)
		}
	}
	// A Manager of the other host, with the same KEK, loads the moved keys (Ensure decrypts every one).
	m, err := New(Options{Host: other, Keys: e.st.Keys(), Now: e.clock.Now, MaxTokenTTL: idTokenTTL, KEK: kekA})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Ensure(ctx); err != nil {
		t.Fatalf("Ensure on the moved keys: %v", err)
	}
	moved, err := e.st.Keys().List(ctx, other, keyUse)
	if err != nil || len(moved) != len(keys) {
		t.Fatalf("keys of %s after Ensure: %d, %v; want the %d moved ones and no new one", other, len(moved), err, len(keys))
	}
}

// TestCheckStoredKeys: the keys a Manager stored check under its KEK; under another each fails on its own, named.
func TestCheckStoredKeys(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	m := e.manager(t, func(o *Options) { o.KEK = kekA })
	useFixtures(t, m)
	if err := m.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	want := len(e.stored(t))
	if n, err := CheckStoredKeys(ctx, e.st.Keys(), testHost, kekA); err != nil || n != want || n == 0 {
		t.Fatalf("CheckStoredKeys with the KEK: %d, %v; want %d keys, nil", n, err, want)
	}
	n, err := CheckStoredKeys(ctx, e.st.Keys(), testHost, kekB)
	if !errors.Is(err, ErrUndecryptable) || n != want {
		t.Fatalf("CheckStoredKeys with another KEK: %d, %v", n, err)
	}
	for _, k := range e.stored(t) {
		if !strings.Contains(err.Error(), "signing key "+k.ID+" cannot be decrypted") {
			t.Errorf("the error does not name key %s: %v", k.ID, err)
		}
	}
	if n, err := CheckStoredKeys(ctx, e.st.Keys(), "another-host", kekB); n != 0 || err != nil {
		t.Errorf("CheckStoredKeys of a host without keys: %d, %v", n, err)
	}
}
