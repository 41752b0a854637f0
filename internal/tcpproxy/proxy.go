package tcpproxy

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy forwards every connection it accepts on a loopback address to its target until a test cuts it.
type Proxy struct {
	t      testing.TB
	target string
	addr   string

	mu      sync.Mutex
	ln      net.Listener
	conns   map[net.Conn]bool
	blocked bool // accepted connections are held, not forwarded
}

// New listens on a free loopback port and forwards to target (host:port); the test's cleanup cuts it.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	p := &Proxy{t: t, target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.start(ln)
	t.Cleanup(p.Cut)
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.addr }

// Via returns dsn (a URL) with its host replaced by the proxy's.
func (p *Proxy) Via(dsn string) string {
	p.t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		p.t.Fatal(err)
	}
	u.Host = p.addr
	return u.String()
}

func (p *Proxy) start(ln net.Listener) {
	p.ln = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns[c] = true
			blocked := p.blocked
			p.mu.Unlock()
			if !blocked {
				go p.forward(c)
			}
		}
	}()
}

// forward pipes c to a new connection to the target until either side ends.
func (p *Proxy) forward(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns[s] = true
	p.mu.Unlock()
	go func() { _, _ = io.Copy(s, c); _ = s.Close(); _ = c.Close() }()
	_, _ = io.Copy(c, s)
	_ = s.Close()
	_ = c.Close()
}

// Cut closes every connection through the proxy and refuses new ones.
func (p *Proxy) Cut() { p.cut(false) }

// Hang closes every connection through the proxy and then accepts new ones and never answers them, so that only
// the client's own timeout ends them.
func (p *Proxy) Hang() { p.cut(true) }

func (p *Proxy) cut(hang bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blocked = hang
	if !hang && p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

// Restore forwards again, on the same address.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close() // held while hanging
		delete(p.conns, c)
	}
	p.blocked = false
	if p.ln == nil {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			p.t.Fatalf("listen again on %s: %v", p.addr, err)
		}
		p.start(ln)
	}
}
