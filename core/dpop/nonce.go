package dpop

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// Default lifetimes of server nonces and of the secret they are made with.
const (
	DefaultNonceLifetime = 2 * time.Minute
	DefaultNonceRotation = 24 * time.Hour
)

// nonceMACSize is how much of the HMAC a nonce carries: 128 bits, as hard to guess as a random nonce.
const nonceMACSize = 16

// Nonces makes and checks the server's DPoP nonces (RFC 9449 §8) without storing them: a nonce is the number
// of a time window and an HMAC of it and the host under the host's secret of the window's rotation period. Every
// instance of a host computes the same nonce for a window, so a nonce from one instance is good at another. A
// nonce is accepted in its own window and the next one, so it lives between one and two Lifetimes; a nonce of
// the previous window is still accepted, and the answer then carries the current one (Check's stale). So is a
// nonce of the next window, issued by an instance whose clock is slightly ahead.
type Nonces struct {
	Host    string
	Secrets Secrets
	// Lifetime is the length of a window (DefaultNonceLifetime when zero).
	Lifetime time.Duration
}

func (n *Nonces) lifetime() time.Duration {
	if n.Lifetime > 0 {
		return n.Lifetime
	}
	return DefaultNonceLifetime
}

// window is the number of the window t falls in.
func (n *Nonces) window(t time.Time) int64 { return t.UnixNano() / int64(n.lifetime()) }

// Current returns the nonce of the window now falls in.
func (n *Nonces) Current(ctx context.Context, now time.Time) (string, error) {
	return n.make(ctx, n.window(now))
}

func (n *Nonces) make(ctx context.Context, w int64) (string, error) {
	mac, err := n.mac(ctx, w)
	if err != nil {
		return "", err
	}
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+nonceMACSize), uint64(w))
	return base64.RawURLEncoding.EncodeToString(append(b, mac...)), nil
}

// mac is the HMAC-SHA256 of host and window under the secret of the window's rotation period, truncated.
func (n *Nonces) mac(ctx context.Context, w int64) ([]byte, error) {
	secret, err := n.Secrets.Secret(ctx, time.Unix(0, w*int64(n.lifetime())))
	if err != nil {
		return nil, err
	}
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(n.Host))
	h.Write([]byte{0})
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(w)))
	return h.Sum(nil)[:nonceMACSize], nil
}

// Check reports whether nonce is one of this host's, of the current window, the previous one, or the next one;
// stale is true for the previous one (the answer should carry the current nonce, §8.2). The next window's is
// accepted because another instance of the host whose clock is slightly ahead issues it: refusing it would send
// the client back and forth between instances, each asking for its own nonce. It makes no nonce live longer:
// each is still accepted for at most its own window and the next one on a given clock. A failure to read the
// secret is an error, not a bad nonce.
func (n *Nonces) Check(ctx context.Context, nonce string, now time.Time) (ok, stale bool, err error) {
	b, derr := base64.RawURLEncoding.DecodeString(nonce)
	if derr != nil || len(b) != 8+nonceMACSize {
		return false, false, nil
	}
	w, cur := int64(binary.BigEndian.Uint64(b)), n.window(now)
	if w != cur && w != cur-1 && w != cur+1 {
		return false, false, nil
	}
	mac, err := n.mac(ctx, w)
	if err != nil {
		return false, false, err
	}
	return hmac.Equal(mac, b[8:]), w < cur, nil
}
