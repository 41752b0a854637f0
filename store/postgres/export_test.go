package postgres

import (
	"context"
	"net"
)

// WithDialer makes o dial through dial and stop pinging idle connections, so that a test sees every round trip
// the store makes and can cut its connections.
func WithDialer(o Options, dial func(ctx context.Context, network, addr string) (net.Conn, error)) Options {
	o.dial, o.noIdlePing = dial, true
	return o
}
