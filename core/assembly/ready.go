package assembly

import (
	"context"
	"fmt"
	"strings"
)

// NotReadyError says why a host cannot do all its work, in words meant for /readyz: they name the host, a plugin
// or an algorithm, never a file path or a store detail, so the probe can show them to whoever asks.
type NotReadyError struct {
	Host   string
	Reason string
}

func (e *NotReadyError) Error() string { return "host " + e.Host + ": " + e.Reason }

// Ready is nil when the host can do all its work, else a *NotReadyError naming what is wrong: a plugin whose
// file failed to load (it runs an earlier version, which is not what its file says: the last reload failed, or
// the host started on the last good version), or an algorithm
// the host keeps with no key that can sign (its tokens cannot be issued). Any other error (the signing keys
// could not be read at all) is returned as it is: it is for the log, not for the probe's answer.
func (s *Services) Ready(ctx context.Context) error {
	if stale := s.Policies.Stale(); len(stale) > 0 {
		return &NotReadyError{Host: s.Settings.ID, Reason: fmt.Sprintf("policy plugin %s is stale: its file failed to load and an earlier version still runs",
			strings.Join(stale, ", "))}
	}
	_, missing, err := s.Keys.Signers(ctx)
	if err != nil {
		return fmt.Errorf("host %s: signing keys: %w", s.Settings.ID, err)
	}
	if len(missing) > 0 {
		return &NotReadyError{Host: s.Settings.ID, Reason: "no usable signing key for " + strings.Join(missing, ", ")}
	}
	return nil
}
