package config

import (
	"fmt"
	"slices"
	"strings"
)

// Audit is the audit log of a host: where its security events are written and which kinds. A host under hosts
// inherits file and events per key; `file: off` turns an inherited audit log off for one host.
type Audit struct {
	// File is a path (appended to, created with mode 0600), "stderr", or "off"; left out: off.
	File string `yaml:"file"`
	// Events, when set, are the only kinds written (names as in AuditEventKinds); left out: every kind.
	Events []string `yaml:"events"`
}

// Audit destinations other than a path.
const (
	AuditStderr = "stderr"
	AuditOff    = "off"
)

// AuditEventKinds are the event kinds an audit.events list may name. core/config is a leaf, so this is its own
// copy of core/events' kinds; core/audit's tests check that the two agree.
var AuditEventKinds = []string{
	"login.succeeded", "login.failed", "login.rate_limited", "consent.given", "consent.withdrawn",
	"token.issued", "token.refreshed", "token.revoked", "token.reuse_detected", "token.introspected",
	"client.registered", "client.revoked", "policy.denied", "key.rotated", "admin.action",
}

// AuditSettings is a host's effective audit configuration.
type AuditSettings struct {
	// File is a path (made absolute from the file's directory when written relative in the file, as written when
	// it came from ASSENTRY_AUDIT__FILE), AuditStderr, or "" for no audit log.
	File string
	// Events are the kinds written; nil: every kind.
	Events []string
}

// audit resolves the audit section: off by default, "off" is off, anything else a destination.
func (b *hostBuilder) audit(h Host, hs *HostSettings) {
	if h.Audit == nil {
		return
	}
	a := h.Audit
	switch f := a.File; {
	case f == "" || f == AuditOff:
	case strings.ContainsAny(f, "\x00\r\n"):
		b.errorf("audit.file", "must be a path on one line, %q or %q", AuditStderr, AuditOff)
	case strings.HasSuffix(f, "/"):
		b.errorf("audit.file", "%q names a directory; name the file to append to", f)
	default:
		hs.Audit.File = f
	}
	if a.Events == nil {
		return
	}
	if len(a.Events) == 0 {
		b.errorf("audit.events", "an empty list would write nothing: leave events out for every kind, or set file: off")
		return
	}
	for i, k := range a.Events {
		key := fmt.Sprintf("audit.events[%d]", i)
		switch {
		case !slices.Contains(AuditEventKinds, k):
			b.errorf(key, "%q is not an event kind (one of: %s)", k, strings.Join(AuditEventKinds, ", "))
		case slices.Contains(a.Events[:i], k):
			b.errorf(key, "%q is listed twice", k)
		}
	}
	hs.Audit.Events = slices.Clone(a.Events)
	if hs.Audit.File == "" {
		b.warnf("audit.events", "has no effect: audit.file is not set, so no audit log is written")
	}
}
