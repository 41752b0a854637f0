package events

import "context"

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyActor
)

// WithRequestID returns ctx carrying the id of the request it serves (the X-Request-Id the server answers with).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, keyRequestID, id)
}

// RequestID returns the request id ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// WithActor returns ctx carrying who performs a management action.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, keyActor, actor)
}

// Actor returns the actor ctx carries, or "".
func Actor(ctx context.Context) string {
	a, _ := ctx.Value(keyActor).(string)
	return a
}
