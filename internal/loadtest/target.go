package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
)

// ErrNotLoopback refuses a target, or a connection, outside this machine's loopback addresses (127.0.0.0/8,
// ::1). Load is never sent anywhere else.
var ErrNotLoopback = errors.New("not a loopback address: loadtest sends load only to this machine (127.0.0.0/8, ::1, localhost)")

// CheckTarget parses a base URL and accepts it only when its host is a loopback address or a name that resolves
// to loopback addresses only. It returns the URL without a trailing slash.
func CheckTarget(ctx context.Context, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("target %q: the scheme must be http or https", raw)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("target %q: no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("target %q: a base URL has no query or fragment", raw)
	}
	if err := loopbackHost(ctx, host); err != nil {
		return nil, fmt.Errorf("target %s: %w", raw, err)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// loopbackHost accepts a loopback IP literal, or a name whose every address is loopback.
func loopbackHost(ctx context.Context, host string) error {
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("%s is %w", host, ErrNotLoopback)
		}
		return nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return fmt.Errorf("resolving %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("%s resolves to no address", host)
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return fmt.Errorf("%s resolves to %s, which is %w", host, a.IP, ErrNotLoopback)
		}
	}
	return nil
}

// loopbackOnly is the dialer's Control: it runs on the address actually dialled, after name resolution, and
// refuses any that is not loopback. CheckTarget has already refused such a target; this makes the rule hold
// for every connection whatever a resolver or a Location header says later.
func loopbackOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("dial %s: %w", address, ErrNotLoopback)
	}
	return nil
}
