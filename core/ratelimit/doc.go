// Package ratelimit provides keyed token buckets (per client IP, per username) that slow brute force down
// without a lock-out an attacker could trigger for ever: a bucket always refills.
//
// It is pure computation on an injected clock; it must not import HTTP or storage packages.
package ratelimit
