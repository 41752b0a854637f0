// Package audit is the audit log: an events.Sink that writes each security event as one JSON object per line to
// a file of its own or to stderr, per host, optionally keeping only some kinds. Hosts that name the same file
// share one Writer, and Files.Reopen reopens every file for log rotation.
//
// It imports core/events and the standard library only; never an HTTP framework or a storage engine.
package audit
