package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestSpendAndWait(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := New(3, 10*time.Second, c.now)
	for i := 0; i < 3; i++ {
		if w := l.Wait("a"); w != 0 {
			t.Fatalf("attempt %d: wait %v, want 0", i, w)
		}
		l.Spend("a")
	}
	if w := l.Wait("a"); w != 10*time.Second {
		t.Fatalf("after burst: wait %v, want 10s", w)
	}
	if w := l.Wait("b"); w != 0 {
		t.Fatalf("other key limited: %v", w)
	}
	c.advance(4 * time.Second)
	if w := l.Wait("a"); w != 6*time.Second {
		t.Fatalf("after 4s: wait %v, want 6s", w)
	}
	c.advance(6 * time.Second)
	if w := l.Wait("a"); w != 0 {
		t.Fatalf("refilled bucket still waits %v", w)
	}
	// The bucket never goes below empty, so a flood of failures cannot push the wait out for ever.
	for i := 0; i < 100; i++ {
		l.Spend("a")
	}
	if w := l.Wait("a"); w != 10*time.Second {
		t.Fatalf("after flood: wait %v, want at most one interval (10s)", w)
	}
}

func TestAllow(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := New(2, time.Minute, c.now)
	tests := []struct {
		name string
		adv  time.Duration
		want bool
	}{
		{"first", 0, true},
		{"second", 0, true},
		{"third refused", 0, false},
		{"after a minute", time.Minute, true},
		{"then refused again", 0, false},
	}
	for _, tt := range tests {
		c.advance(tt.adv)
		if got, _ := l.Allow("k"); got != tt.want {
			t.Errorf("%s: Allow = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPruneBoundsMemory(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := New(1, time.Second, c.now)
	l.maxKeys = 10
	for i := 0; i < 10; i++ {
		l.Spend(fmt.Sprint(i))
	}
	c.advance(time.Second) // every bucket is full again
	l.Spend("new")
	if n := len(l.buckets); n != 1 {
		t.Fatalf("buckets after prune = %d, want 1", n)
	}
}

// TestSpendReportsEmptied: Spend says when it took a key's last token, the moment the key becomes limited, so a
// caller can log that once; later spends on the empty bucket, and spends that leave a token, say false.
func TestSpendReportsEmptied(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := New(2, 10*time.Second, c.now)
	tests := []struct {
		name string
		adv  time.Duration
		want bool
	}{
		{"first of two", 0, false},
		{"the last token", 0, true},
		{"already empty", 0, false},
		{"half refilled: still empty", 5 * time.Second, false},
		{"one token back, then spent", 10 * time.Second, true},
	}
	for _, tt := range tests {
		c.advance(tt.adv)
		if got := l.Spend("k"); got != tt.want {
			t.Errorf("%s: Spend = %v, want %v", tt.name, got, tt.want)
		}
	}
}
