package httpapi

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// parseProxies turns trusted_proxies (addresses or CIDRs) into prefixes.
func parseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted_proxies: %q is neither an address nor a CIDR", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// peer is the address of the connection's other end, and whether it is a trusted proxy: the one decision behind
// every X-Forwarded-* header the server believes.
func (s *Server) peer(c *fiber.Ctx) (netip.Addr, bool) {
	a, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return netip.Addr{}, false
	}
	a = a.Unmap()
	return a, s.trusted(a)
}

// clientIP is the address rate limits key on. X-Forwarded-For is believed only when the peer is a trusted
// proxy, and then read from the right, skipping trusted proxies, so a client cannot spoof it by sending the
// header itself.
func (s *Server) clientIP(c *fiber.Ctx) string {
	peer, trusted := s.peer(c)
	if !peer.IsValid() {
		return c.Context().RemoteIP().String()
	}
	if !trusted {
		return peer.String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !s.trusted(a) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

// overTLS reports whether the request reached the server's side over TLS: on the server's own TLS listener, or,
// as a trusted proxy says in X-Forwarded-Proto, on the proxy's. The header is believed only from a trusted peer
// (fiber's Ctx.Protocol believes it from anyone unless its own proxy check is on, so it is not used), and only
// when every value of it, over every line, is https: a hop that appended "http" wins, failing safe.
func (s *Server) overTLS(c *fiber.Ctx) bool {
	if c.Context().IsTLS() {
		return true
	}
	if _, trusted := s.peer(c); !trusted {
		return false
	}
	lines := c.Request().Header.PeekAll(fiber.HeaderXForwardedProto)
	if len(lines) == 0 {
		return false
	}
	for _, line := range lines {
		for _, v := range strings.Split(string(line), ",") {
			if !strings.EqualFold(strings.TrimSpace(v), "https") {
				return false
			}
		}
	}
	return true
}
