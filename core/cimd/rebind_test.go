package cimd_test

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/assentry/assentry/core/cimd"
)

// fakeDNS answers every A query with 127.0.0.1 (and AAAA with no answer) on a loopback UDP port: a public-looking
// name that resolves to loopback, as an attacker's DNS would answer to rebind a name to the server's own network.
func fakeDNS(t *testing.T) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := answer(buf[:n]); resp != nil {
				_, _ = pc.WriteTo(resp, addr)
			}
		}
	}()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
}

// answer builds the response to a one-question query (RFC 1035 §4.1): the question echoed, and for type A one
// answer record of 127.0.0.1 pointing back at the question's name.
func answer(q []byte) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil
	}
	end := 12
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 5 // the root label, QTYPE, QCLASS
	if end > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[end-4:])
	resp := append([]byte{}, q[:end]...)
	resp[2] |= 0x84 // QR, AA
	resp[3] = 0x80  // RA, NOERROR
	binary.BigEndian.PutUint16(resp[6:], 0)
	binary.BigEndian.PutUint16(resp[8:], 0)
	binary.BigEndian.PutUint16(resp[10:], 0)
	if qtype == 1 {
		binary.BigEndian.PutUint16(resp[6:], 1)
		resp = append(resp, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1)
	}
	return resp
}

// TestFetchDNSRebinding: a public name (example.com, which the test server's certificate covers) that resolves to
// 127.0.0.1 is refused without allow_networks, since the guard checks the address dialled, not the name; with
// 127.0.0.0/8 allowed, the same name is fetched (so the refusal is the guard's, not a failed lookup).
func TestFetchDNSRebinding(t *testing.T) {
	s := newDocServer(t, map[string]http.HandlerFunc{"/ok.json": serve(doc, "")})
	resolver := fakeDNS(t)
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	url := "https://example.com:" + port + "/ok.json"

	strict := cimd.New(cimd.Options{RootCAs: s.roots(), Resolver: resolver})
	if _, err := strict.Fetch(context.Background(), url); !errors.Is(err, cimd.ErrForbiddenAddress) {
		t.Fatalf("a name resolving to loopback: %v, want the guard's refusal", err)
	}
	if n := s.hitsOf("/ok.json"); n != 0 {
		t.Fatalf("the loopback server was reached %d times", n)
	}
	allowed := cimd.New(cimd.Options{RootCAs: s.roots(), Resolver: resolver, AllowNetworks: loopback})
	if body, err := allowed.Fetch(context.Background(), url); err != nil || string(body) != doc {
		t.Fatalf("with 127.0.0.0/8 allowed: %q, %v", body, err)
	}
}
