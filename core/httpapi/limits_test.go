package httpapi

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// closeBound is how long after its configured timeout a connection may still be open: generous, because the
// machine running the tests may be busy. The tests check that the server closes, not how fast.
const closeBound = 8 * time.Second

// dial opens a raw TCP connection to the test server.
func (e *testEnv) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(e.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedWithin reads c until the server closes it (EOF or reset) and returns what it read; it fails the test
// if c is still open after d.
func closedWithin(t *testing.T, c net.Conn, d time.Duration) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Errorf("connection still open %v later (read %q)", d, b)
	}
	return string(b)
}

// TestSlowloris: 200 connections trickle a request header one byte a second. A normal client is served all
// along, and the server cuts each slow connection once its header timeout has passed.
func TestSlowloris(t *testing.T) {
	const slow, headerTimeout = 200, 2 * time.Second
	e := newEnv(t, withLimits(Limits{ReadHeaderTimeout: headerTimeout}))
	addr := strings.TrimPrefix(e.base, "http://")

	start := time.Now()
	closedAt := make([]time.Duration, slow)
	var wg sync.WaitGroup
	for i := range slow {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		t.Cleanup(func() { c.Close() })
		wg.Add(2)
		go func() { // the trickle: a request line, then one byte of a header every second
			defer wg.Done()
			msg := "GET /healthz HTTP/1.1\r\nHost: " + addr + "\r\nX-Slow: " + strings.Repeat("a", 30)
			if _, err := io.WriteString(c, msg[:20]); err != nil {
				return
			}
			for _, b := range []byte(msg[20:]) {
				time.Sleep(time.Second)
				if _, err := c.Write([]byte{b}); err != nil {
					return // closed by the server
				}
			}
		}()
		go func() { // when did the server close it?
			defer wg.Done()
			_ = c.SetReadDeadline(time.Now().Add(headerTimeout + closeBound))
			_, _ = io.Copy(io.Discard, c)
			closedAt[i] = time.Since(start)
		}()
	}

	// A normal client, one fresh connection per request, for as long as the slow ones are held.
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var lat []time.Duration
	for time.Since(start) < headerTimeout+time.Second {
		t0 := time.Now()
		resp, err := client.Get(e.base + "/healthz")
		if err != nil {
			t.Fatalf("normal client during the slowloris: %v", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("normal client during the slowloris: %s", resp.Status)
		}
		lat = append(lat, time.Since(t0))
		time.Sleep(50 * time.Millisecond)
	}
	slices.Sort(lat)
	t.Logf("normal client: %d requests, latency median %v, max %v", len(lat), lat[len(lat)/2], lat[len(lat)-1])

	wg.Wait()
	slices.Sort(closedAt)
	t.Logf("slow connections closed between %v and %v after the start", closedAt[0], closedAt[slow-1])
	if last := closedAt[slow-1]; last >= headerTimeout+closeBound {
		t.Errorf("a slow connection was still open %v after the start; header timeout %v", last, headerTimeout)
	}
	if first := closedAt[0]; first < headerTimeout-100*time.Millisecond {
		t.Errorf("a slow connection was closed after %v, before its header timeout %v", first, headerTimeout)
	}
}

// TestSlowBody: headers arrive at once, the body a byte a second. The body timeout runs from the end of the
// headers and cuts the connection long before the (long) header timeout would.
func TestSlowBody(t *testing.T) {
	const bodyTimeout = time.Second
	e := newEnv(t, withLimits(Limits{ReadHeaderTimeout: 60 * time.Second, ReadBodyTimeout: bodyTimeout}))
	c := e.dial(t)
	addr := strings.TrimPrefix(e.base, "http://")
	hdr := "POST /oauth2/token HTTP/1.1\r\nHost: " + addr +
		"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
	if _, err := io.WriteString(c, hdr); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for range 100 {
			select {
			case <-done:
				return
			case <-time.After(time.Second):
			}
			if _, err := c.Write([]byte("a")); err != nil {
				return
			}
		}
	}()
	got := closedWithin(t, c, bodyTimeout+closeBound)
	if strings.Contains(got, " 200 ") {
		t.Errorf("a body that never arrived was answered: %q", got)
	}
}

// TestIdleTimeout: a kept-alive connection that sends no next request is closed.
func TestIdleTimeout(t *testing.T) {
	const idle = time.Second
	e := newEnv(t, withLimits(Limits{IdleTimeout: idle}))
	c := e.dial(t)
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("first request: %s, close %v; want 200 on a kept-alive connection", resp.Status, resp.Close)
	}
	_ = c.SetReadDeadline(time.Now().Add(idle + closeBound))
	if n, err := io.Copy(io.Discard, br); err != nil {
		t.Errorf("kept-alive connection still open %v after its request (read %d bytes): %v", idle+closeBound, n, err)
	}
}

// TestConnectionCap: with max connections 5, a sixth connection is answered 503 and closed while five are
// held; once one of them closes, a new connection is served again.
func TestConnectionCap(t *testing.T) {
	const limit = 5
	e := newEnv(t, withLimits(Limits{MaxConnections: limit}))
	held := make([]net.Conn, limit)
	for i := range held {
		held[i] = e.dial(t)
		// A served request makes sure the server counts the connection before the next one is dialled.
		if got := roundTrip(t, held[i]); got != http.StatusOK {
			t.Fatalf("connection %d: status %d, want 200", i, got)
		}
	}

	extra := e.dial(t)
	got := closedWithin(t, extra, closeBound)
	if !strings.HasPrefix(got, "HTTP/1.1 503") || !strings.Contains(got, "Concurrency limit exceeded") {
		t.Errorf("connection %d of %d: got %q, want a 503 for the concurrency limit", limit+1, limit, got)
	}

	held[0].Close()
	// The server frees the slot when it notices the close; give it a moment, then a new connection is served.
	deadline := time.Now().Add(closeBound)
	for {
		c := e.dial(t)
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil && resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection served %v after one of the %d held ones closed: %v %v", closeBound, limit, resp, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestConnectionCapPerIP: with a cap of 2 per address, a third connection from 127.0.0.1 gets 429.
func TestConnectionCapPerIP(t *testing.T) {
	e := newEnv(t, withLimits(Limits{MaxConnectionsPerIP: 2}))
	for i := range 2 {
		if got := roundTrip(t, e.dial(t)); got != http.StatusOK {
			t.Fatalf("connection %d: status %d, want 200", i, got)
		}
	}
	got := closedWithin(t, e.dial(t), closeBound)
	if !strings.HasPrefix(got, "HTTP/1.1 429") {
		t.Errorf("third connection from one address: got %q, want 429", got)
	}
}

// roundTrip sends one kept-alive GET /healthz on c and returns the status.
func roundTrip(t *testing.T, c net.Conn) int {
	t.Helper()
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(closeBound))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	_ = c.SetReadDeadline(time.Time{})
	return resp.StatusCode
}
