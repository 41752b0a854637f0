package config

import (
	"fmt"
	"time"
)

// Defaults of the http section: short enough that a slow client (slowloris) holds a connection for seconds,
// not minutes; long enough for a phone on a poor link to send a 1 MiB registration body.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadBodyTimeout   = 20 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultMaxConnections    = 10000
)

// maxHTTPTimeout bounds every http timeout: beyond an hour a timeout no longer protects anything.
const maxHTTPTimeout = time.Hour

// HTTP is the listener's protection against slow and numerous clients. It belongs to the server, not to a host:
// every host shares the one listener.
type HTTP struct {
	// ReadHeaderTimeout is the time a client has for a request's line and headers, from the connection's
	// opening or the first byte of a kept-alive connection's next request.
	ReadHeaderTimeout *Duration `yaml:"read_header_timeout"`
	// ReadBodyTimeout is the time a client has for the body, once its headers are in.
	ReadBodyTimeout *Duration `yaml:"read_body_timeout"`
	// WriteTimeout is the time the server has to write an answer.
	WriteTimeout *Duration `yaml:"write_timeout"`
	// IdleTimeout closes a kept-alive connection that sends no next request.
	IdleTimeout *Duration `yaml:"idle_timeout"`
	// MaxConnections caps the connections served at once; one more is answered 503 and closed.
	MaxConnections int `yaml:"max_connections"`
	// MaxConnectionsPerIP caps the connections of one client address (429 beyond); 0 is no cap. Behind a
	// reverse proxy every connection comes from the proxy, so leave it at 0 there.
	MaxConnectionsPerIP int `yaml:"max_connections_per_ip"`
}

// HTTPSettings is the effective http section: every timeout positive, MaxConnections positive.
type HTTPSettings struct {
	ReadHeaderTimeout   time.Duration
	ReadBodyTimeout     time.Duration
	WriteTimeout        time.Duration
	IdleTimeout         time.Duration
	MaxConnections      int
	MaxConnectionsPerIP int // 0: no cap
}

// resolveHTTP applies the defaults of the http section and checks it, reporting every problem in r.
func resolveHTTP(h *HTTP, r *report) HTTPSettings {
	if h == nil {
		h = &HTTP{}
	}
	s := HTTPSettings{MaxConnections: h.MaxConnections, MaxConnectionsPerIP: h.MaxConnectionsPerIP}
	for _, f := range []struct {
		key string
		v   *Duration
		def time.Duration
		dst *time.Duration
	}{
		{"http.read_header_timeout", h.ReadHeaderTimeout, DefaultReadHeaderTimeout, &s.ReadHeaderTimeout},
		{"http.read_body_timeout", h.ReadBodyTimeout, DefaultReadBodyTimeout, &s.ReadBodyTimeout},
		{"http.write_timeout", h.WriteTimeout, DefaultWriteTimeout, &s.WriteTimeout},
		{"http.idle_timeout", h.IdleTimeout, DefaultIdleTimeout, &s.IdleTimeout},
	} {
		// Zero would mean "no timeout" to the HTTP server: exactly what this section exists to prevent.
		*f.dst = ttl(f.v, f.def)
		if *f.dst < time.Second || *f.dst > maxHTTPTimeout {
			r.errorf(f.key, "", fmt.Sprintf("must be between 1s and %v, got %v", maxHTTPTimeout, *f.dst))
		}
	}
	switch {
	case s.MaxConnections == 0:
		s.MaxConnections = DefaultMaxConnections
	case s.MaxConnections < 0:
		r.errorf("http.max_connections", "", fmt.Sprintf("must be positive (0 or unset: %d), got %d",
			DefaultMaxConnections, s.MaxConnections))
	}
	if s.MaxConnectionsPerIP < 0 {
		r.errorf("http.max_connections_per_ip", "", fmt.Sprintf("must be 0 (no cap) or positive, got %d",
			s.MaxConnectionsPerIP))
	} else if s.MaxConnectionsPerIP > s.MaxConnections && s.MaxConnections > 0 {
		r.errorf("http.max_connections_per_ip", "", fmt.Sprintf("%d is above http.max_connections (%d)",
			s.MaxConnectionsPerIP, s.MaxConnections))
	}
	return s
}
