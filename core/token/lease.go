package token

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Coordination of key writes between processes sharing a store (Options.Leases).
const (
	// leaseTTL is how long a Manager holds the host's lease for one rotation step. A step is a list, a few key
	// generations and a few writes: well under a second, and the lease is renewed before each write, so a holder
	// that stalls longer than this stops instead of writing beside the next holder.
	leaseTTL = time.Minute
	// leaseWait bounds how long Ensure and Rotate wait for a lease another process holds: its holder releases it
	// when its step is done, and it runs out after leaseTTL if the holder died.
	leaseWait = leaseTTL + 10*time.Second
	// leaseMargin is how long before the lease runs out a holder stops renewing it: renewing takes a round trip.
	leaseMargin = 10 * time.Second
	// leasePoll is how often a waiting Ensure or Rotate tries the lease again.
	leasePoll = 100 * time.Millisecond
)

// errLeaseHeld is returned by exclusive when another process holds the host's lease.
var errLeaseHeld = errors.New("token: another process is writing this host's signing keys")

// leaseName is the host's key lease: one per host, so hosts rotate independently.
func (m *Manager) leaseName() string { return "keys:" + m.host }

// exclusive runs fn, one step of key writes, as the only writer of the host's keys: under writeMu within this
// process and, with Options.Leases, under the host's lease among processes. It returns errLeaseHeld without
// running fn when another holder has the lease. The lease is released when fn returns, so the next writer need
// not wait for it to run out.
func (m *Manager) exclusive(ctx context.Context, fn func() error) error {
	m.writeMu.Lock()
	defer m.writeMu.Unlock()
	if m.leases == nil {
		return fn()
	}
	taken := time.Now()
	ok, err := m.leases.TakeLease(ctx, m.leaseName(), m.holder, leaseTTL)
	if err != nil {
		return fmt.Errorf("token: take lease %s: %w", m.leaseName(), err)
	}
	if !ok {
		return errLeaseHeld
	}
	m.leaseAt = taken
	defer func() {
		// A context of its own: a step cut short by its caller must still let the next writer in at once.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := m.leases.ReleaseLease(rctx, m.leaseName(), m.holder); err != nil {
			m.log.WarnContext(ctx, "signing keys: releasing the lease failed; it runs out by itself",
				"host", m.host, "lease", m.leaseName(), "err", err)
		}
	}()
	return fn()
}

// exclusiveWait is exclusive that waits, up to leaseWait, while another process holds the lease. Before each
// new try it calls done, which may end the wait with a nil error: what the caller needed was written meanwhile.
func (m *Manager) exclusiveWait(ctx context.Context, done func() (bool, error), fn func() error) error {
	deadline := time.Now().Add(leaseWait) // real time: the lease's holder releases it in real time
	for {
		err := m.exclusive(ctx, fn)
		if !errors.Is(err, errLeaseHeld) {
			return err
		}
		if ok, err := done(); err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: lease %s still held after %v", errLeaseHeld, m.leaseName(), leaseWait)
		}
		t := time.NewTimer(leasePoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// stillHeld renews the host's lease before a write: a holder that stalled past leaseTTL (and may have a
// successor writing now) stops instead of writing.
func (m *Manager) stillHeld(ctx context.Context) error {
	if m.leases == nil {
		return nil
	}
	// A lease that ran out may have been taken, used and released by another process meanwhile; taking it again
	// now would let this step write from what it read before that. So a step that stalled past the lease stops,
	// measured on this process's monotonic clock, with a margin for the renewal's own round trip.
	if time.Since(m.leaseAt) >= leaseTTL-leaseMargin {
		return fmt.Errorf("token: lease %s ran out during a rotation step (it stalled for %v); the next step starts over",
			m.leaseName(), time.Since(m.leaseAt).Round(time.Second))
	}
	renewed := time.Now()
	ok, err := m.leases.TakeLease(ctx, m.leaseName(), m.holder, leaseTTL)
	switch {
	case err != nil:
		return fmt.Errorf("token: renew lease %s: %w", m.leaseName(), err)
	case !ok:
		return fmt.Errorf("token: lease %s ran out during a rotation step and another process took it", m.leaseName())
	}
	m.leaseAt = renewed
	return nil
}
