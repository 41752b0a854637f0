package httpapi

import (
	"time"

	"github.com/valyala/fasthttp"
)

// Limits protect the listener from slow and numerous clients (docs/architecture.md §5). A zero field takes the
// default below, which matches core/config's.
type Limits struct {
	// ReadHeaderTimeout is the time a client has to send a request's line and headers, counted from the
	// connection's opening, or from the first byte of the next request on a kept-alive connection. A client
	// that trickles its headers (slowloris) is cut off when it runs out.
	ReadHeaderTimeout time.Duration
	// ReadBodyTimeout is the time a client has to send the body, counted from the end of its headers.
	ReadBodyTimeout time.Duration
	// WriteTimeout is the time the server has to write an answer.
	WriteTimeout time.Duration
	// IdleTimeout closes a kept-alive connection that does not start a next request in time.
	IdleTimeout time.Duration
	// MaxConnections caps the connections served at once; one more is answered 503 and closed at once.
	MaxConnections int
	// MaxConnectionsPerIP caps the connections of one client address (429 beyond); 0: no cap. It counts the
	// peer's address, so behind a reverse proxy it caps the proxy: leave it off there.
	MaxConnectionsPerIP int
}

// Defaults of Limits.
const (
	defaultReadHeaderTimeout = 10 * time.Second
	defaultReadBodyTimeout   = 20 * time.Second
	defaultWriteTimeout      = 30 * time.Second
	defaultIdleTimeout       = 2 * time.Minute
	defaultMaxConnections    = 10000
)

func (l Limits) withDefaults() Limits {
	l.ReadHeaderTimeout = orDefault(l.ReadHeaderTimeout, defaultReadHeaderTimeout)
	l.ReadBodyTimeout = orDefault(l.ReadBodyTimeout, defaultReadBodyTimeout)
	l.WriteTimeout = orDefault(l.WriteTimeout, defaultWriteTimeout)
	l.IdleTimeout = orDefault(l.IdleTimeout, defaultIdleTimeout)
	l.MaxConnections = orDefault(l.MaxConnections, defaultMaxConnections)
	return l
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// applyLimits sets on fiber's fasthttp server what fiber.Config does not carry. fasthttp has one read deadline
// for the whole request (fiber's ReadTimeout, here the header timeout); HeaderReceived, called once the headers
// are in, restarts it for the body, so a slow body and a slow header each get their own allowance.
func applyLimits(srv *fasthttp.Server, l Limits) {
	srv.MaxConnsPerIP = l.MaxConnectionsPerIP
	body := l.ReadBodyTimeout
	srv.HeaderReceived = func(*fasthttp.RequestHeader) fasthttp.RequestConfig {
		// Zero fields keep the server's values (body size limit, write timeout).
		return fasthttp.RequestConfig{ReadTimeout: body}
	}
}
