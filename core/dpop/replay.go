package dpop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/assentry/assentry/store"
)

// DefaultMaxProofs bounds the live jti records one instance keeps for a host (Replay.Max).
const DefaultMaxProofs = 100_000

// Replay remembers the jti of accepted proofs of one host (RFC 9449 §11.1) in the store, so that every instance
// serving the host refuses a proof another one accepted. Each record lives until the proof's iat leaves the
// window, after which the proof is refused for its iat anyway.
//
// The records an instance wrote and that are still live are counted in memory, per second of expiry: a count
// that costs nothing per request and no store query. When it reaches Max, a proof without a valid server nonce
// is not recorded: the client is asked for a fresh nonce (use_dpop_nonce, §8), so that while the cache is full
// only proofs made for this server's current nonce count, not proofs made in advance. A live record is never
// evicted, which would reopen the replay it guards against, and a proof is never accepted unrecorded, not even
// with a nonce, since it could then be replayed for the nonce's life. Proofs with a nonce are recorded up to
// twice Max; past that the request is refused as temporarily unavailable until records expire, which happens
// within the proof window. Checker.PerAddress keeps one client address from filling the cache.
type Replay struct {
	Host   string
	Proofs store.DPoPProofStore
	// Max is the bound on live records written by this instance (DefaultMaxProofs when zero).
	Max int
	// Log is told, at most once a minute, that the bound was reached (nil: not logged).
	Log *slog.Logger

	mu       sync.Mutex
	live     int
	expires  map[int64]int // Unix second of expiry → records written by this instance
	loggedAt time.Time     // the last "full" log line
}

// fullLogEvery is the least time between two log lines saying the cache is full.
const fullLogEvery = time.Minute

// errReplayed is Record's answer for a jti seen before.
var errReplayed = errors.New("dpop: jti replayed")

// errNeedNonce is Record's answer for a proof without a valid nonce while the cache is full.
var errNeedNonce = errors.New("dpop: the replay cache is full: a nonce is required")

// Record remembers jti until exp: errReplayed when it was seen before; errNeedNonce, nothing written, when Max
// live records are reached and the proof carried no valid server nonce (nonced false); a *Busy, nothing written,
// when twice Max are reached; an error wrapping ErrStore when the store fails.
func (r *Replay) Record(ctx context.Context, jti string, now, exp time.Time, nonced bool) error {
	max := r.Max
	if max <= 0 {
		max = DefaultMaxProofs
	}
	r.mu.Lock()
	r.prune(now)
	if r.live >= max && !nonced {
		r.mu.Unlock()
		return errNeedNonce
	}
	if r.live >= 2*max {
		busy := &Busy{Description: "the server cannot record more DPoP proofs now; retry later",
			RetryAfter: r.nextExpiry(now)}
		logIt := r.Log != nil && (r.loggedAt.IsZero() || now.Sub(r.loggedAt) >= fullLogEvery || now.Before(r.loggedAt))
		if logIt {
			r.loggedAt = now
		}
		r.mu.Unlock()
		if logIt {
			r.Log.Warn("DPoP replay cache full: proofs are refused with 503 until records expire (twice dpop_replay_max)",
				"host", r.Host, "max", max, "retry_after", busy.RetryAfter.String())
		}
		return busy
	}
	// Counted before the write, so concurrent requests cannot overshoot the bound; a failed write is
	// uncounted below.
	sec := exp.Unix() + 1
	r.live++
	r.expires[sec]++
	r.mu.Unlock()
	err := r.Proofs.Record(ctx, r.Host, jti, exp)
	if err == nil {
		return nil
	}
	r.mu.Lock()
	if r.expires[sec] > 0 {
		r.expires[sec]--
		r.live--
	}
	r.mu.Unlock()
	if errors.Is(err, store.ErrAlreadyUsed) {
		return errReplayed
	}
	return fmt.Errorf("%w: jti record: %w", ErrStore, err)
}

// Live is the number of live records this instance wrote (for tests and metrics).
func (r *Replay) Live(now time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prune(now)
	return r.live
}

// nextExpiry is how long until the earliest live record expires (at least a second); the caller holds mu.
func (r *Replay) nextExpiry(now time.Time) time.Duration {
	first := int64(0)
	for sec := range r.expires {
		if first == 0 || sec < first {
			first = sec
		}
	}
	return max(time.Unix(first, 0).Sub(now), time.Second)
}

// prune drops the counts of records expired at now. There are at most as many keys as seconds in the window,
// so the loop is short.
func (r *Replay) prune(now time.Time) {
	if r.expires == nil {
		r.expires = map[int64]int{}
	}
	for sec, n := range r.expires {
		if sec <= now.Unix() {
			r.live -= n
			delete(r.expires, sec)
		}
	}
}
