package cimd

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
)

// ErrForbiddenAddress is the cause of a refused connection: the address dialled is not a public unicast address
// and no configured network allows it.
var ErrForbiddenAddress = errors.New("the address is not a public address and no allowed network contains it")

// special are the networks that are not the public Internet, beyond what netip's predicates name (loopback,
// private incl. IPv6 ULA fc00::/7, link-local, multicast, unspecified): a server that fetches URLs chosen by
// strangers must not be made to reach them (draft-ietf-oauth-client-id-metadata-document-02 §8.6, SSRF).
var special = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network" (RFC 791)
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments (RFC 6890)
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation (RFC 5737)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64 (RFC 6052): may reach any IPv4 address, private ones too
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64 (RFC 8215)
	netip.MustParsePrefix("100::/64"),        // discard-only (RFC 6666)
	netip.MustParsePrefix("2001::/32"),       // Teredo (RFC 4380): tunnels to IPv4
	netip.MustParsePrefix("2001:db8::/32"),   // documentation (RFC 3849)
	netip.MustParsePrefix("2002::/16"),       // 6to4 (RFC 3056): tunnels to IPv4
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
}

// Public reports whether ip is a public unicast address a document may be fetched from.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range special {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// guard decides which addresses may be dialled: public ones, and those inside an allowed network.
type guard struct{ allow []netip.Prefix }

// permits reports whether ip may be dialled.
func (g guard) permits(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range g.allow {
		if p.Contains(ip) {
			return true
		}
	}
	return Public(ip)
}

// control is the net.Dialer's Control hook: it runs after name resolution, on the very address about to be
// connected to, so neither a name resolving to a loopback or private address nor one whose answer changes
// between a check and the connection (DNS rebinding) gets through. Every address a dual-stack dial tries passes
// here.
func (g guard) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	if !g.permits(ip) {
		return ErrForbiddenAddress
	}
	return nil
}
