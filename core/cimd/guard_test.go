package cimd

import (
	"errors"
	"net/netip"
	"testing"
)

// TestGuardControl: the dial hook decides on the resolved address it is handed, whatever name the URL had, and
// allow_networks opens exactly the networks listed (an IPv4-mapped IPv6 address counts as its IPv4 address).
func TestGuardControl(t *testing.T) {
	allow := guard{allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	tests := []struct {
		name    string
		g       guard
		address string
		ok      bool
	}{
		{"public", guard{}, "93.184.215.14:443", true},
		{"loopback", guard{}, "127.0.0.1:443", false},
		{"mapped loopback", guard{}, "[::ffff:127.0.0.1]:443", false},
		{"cloud metadata", guard{}, "169.254.169.254:80", false},
		{"private", guard{}, "10.0.0.8:443", false},
		{"loopback, allowed", allow, "127.0.0.1:443", true},
		{"mapped loopback, allowed", allow, "[::ffff:127.0.0.2]:443", true},
		{"IPv6 loopback, not in the allowed network", allow, "[::1]:443", false},
		{"private, not in the allowed network", allow, "192.168.0.1:443", false},
		{"a name, never resolved here", guard{}, "example.com:443", false},
	}
	for _, tt := range tests {
		err := tt.g.control("tcp", tt.address, nil)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && tt.name != "a name, never resolved here" && !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: %v is not ErrForbiddenAddress", tt.name, err)
		}
	}
}
