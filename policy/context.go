package policy

import "context"

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id that the chain puts in every input's envelope (request_id).
// The HTTP layer sets it once per request; an input whose envelope already has a request_id keeps it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
