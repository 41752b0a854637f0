package ratelimit

import (
	"sync"
	"time"
)

// Limiter is a set of token buckets keyed by string. Each holds up to Burst tokens and regains one every Every.
// Callers check with Wait before doing the guarded work and Spend a token when the attempt failed (so that,
// for logins, only failures are limited). Memory is bounded: when the map grows past maxKeys, buckets that
// have refilled completely are dropped (they are indistinguishable from new ones).
type Limiter struct {
	burst   float64
	every   time.Duration
	now     func() time.Time
	maxKeys int

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// New returns a Limiter. now may be nil (time.Now).
func New(burst int, every time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	if burst < 1 {
		burst = 1
	}
	return &Limiter{burst: float64(burst), every: every, now: now, maxKeys: 100_000, buckets: map[string]*bucket{}}
}

// refill brings b up to date; the caller holds mu.
func (l *Limiter) refill(b *bucket, now time.Time) {
	if l.every > 0 {
		b.tokens += float64(now.Sub(b.at)) / float64(l.every)
	} else {
		b.tokens = l.burst
	}
	if b.tokens > l.burst {
		b.tokens = l.burst
	}
	b.at = now
}

// Wait returns 0 when key has a token left, or how long until it has one.
func (l *Limiter) Wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return 0
	}
	now := l.now()
	l.refill(b, now)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(l.every))
}

// Spend takes one token from key's bucket (going no lower than empty). It reports whether this spend took the
// last token, the moment key becomes limited: of concurrent spends only one sees it, so a caller can log it once
// per episode. A spend on a bucket that was already empty reports false.
func (l *Limiter) Spend(key string) (emptied bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.get(key, l.now())
	if b.tokens >= 1 {
		b.tokens--
		return b.tokens < 1
	}
	b.tokens = 0
	return false
}

// Allow spends a token if one is left and reports whether it did, with the wait otherwise. It suits limits
// that count every request rather than failures.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.get(key, now)
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) * float64(l.every))
	}
	b.tokens--
	return true, 0
}

// get returns key's bucket, refilled to now, creating a full one if needed; the caller holds mu.
func (l *Limiter) get(key string, now time.Time) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxKeys {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	return b
}

// prune drops full buckets; the caller holds mu.
func (l *Limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
}
