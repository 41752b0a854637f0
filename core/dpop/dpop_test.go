package dpop

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// TestNormalURL: htu and the request URL are compared after RFC 3986 §6.2.2–6.2.3 normalisation, without query
// and fragment (RFC 9449 §4.3 step 9).
func TestNormalURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "https://id.example/oauth2/token", "https://id.example/oauth2/token"},
		{"case of scheme and host", "HTTPS://ID.Example/oauth2/token", "https://id.example/oauth2/token"},
		{"default https port", "https://id.example:443/oauth2/token", "https://id.example/oauth2/token"},
		{"default http port", "http://id.example:80/x", "http://id.example/x"},
		{"other port kept", "https://id.example:8443/x", "https://id.example:8443/x"},
		{"query and fragment dropped", "https://id.example/x?a=1#f", "https://id.example/x"},
		{"empty path", "https://id.example", "https://id.example/"},
		{"percent-encoding case", "https://id.example/a%7eb%2f", "https://id.example/a~b/"},
		{"IPv6 literal", "http://[::1]:8080/x", "http://[::1]:8080/x"},
		{"relative", "/oauth2/token", ""},
		{"other scheme", "ftp://id.example/x", ""},
		{"userinfo", "https://u@id.example/x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := normalURL(tt.in)
			if got != tt.want || ok != (tt.want != "") {
				t.Fatalf("normalURL(%q) = %q, %t; want %q", tt.in, got, ok, tt.want)
			}
		})
	}
}

// TestNonces: a nonce is good in its window and the next (then stale), not later, and in the window before its own
// (an instance whose clock is ahead made it); a forged or altered one is not; two instances on one store make and
// accept the same nonces (one secret per period, created once).
func TestNonces(t *testing.T) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC))
	st := badgertest.New(t, clock.Now)
	ctx := context.Background()
	mk := func() *Nonces {
		return &Nonces{Host: "h", Lifetime: time.Minute, Secrets: &StoredSecrets{Host: "h", Keys: st.Keys(), Now: clock.Now}}
	}
	a, b := mk(), mk()
	n, err := a.Current(ctx, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := b.Current(ctx, clock.Now()); m != n {
		t.Fatalf("two instances made %q and %q", n, m)
	}
	check := func(who *Nonces, nonce string, wantOK, wantStale bool) {
		t.Helper()
		ok, stale, err := who.Check(ctx, nonce, clock.Now())
		if err != nil || ok != wantOK || stale != wantStale {
			t.Fatalf("Check = %t, %t, %v; want %t, %t", ok, stale, err, wantOK, wantStale)
		}
	}
	check(b, n, true, false)
	check(b, n[:len(n)-2]+"AA", false, false)
	check(b, "not-a-nonce", false, false)
	other := &Nonces{Host: "other", Lifetime: time.Minute, Secrets: &StoredSecrets{Host: "h", Keys: st.Keys(), Now: clock.Now}}
	check(other, n, false, false) // the host is in the MAC
	clock.Advance(time.Minute)
	check(a, n, true, true)
	clock.Advance(time.Minute)
	check(a, n, false, false)
	// Across a rotation of the secret (one day), the previous window's nonce is still good.
	clock.Set(time.Date(2030, 1, 2, 23, 59, 30, 0, time.UTC))
	n, _ = a.Current(ctx, clock.Now())
	clock.Advance(time.Minute)
	check(b, n, true, true)

	// An instance whose clock is a little ahead has moved to the next window: its nonce is good here too, not
	// stale (the answer carries no new one); two windows ahead it is not.
	clock.Set(time.Date(2030, 1, 3, 12, 0, 10, 0, time.UTC))
	ahead, _ := a.Current(ctx, clock.Now().Add(55*time.Second))
	check(b, ahead, true, false)
	farAhead, _ := a.Current(ctx, clock.Now().Add(2*time.Minute))
	check(b, farAhead, false, false)
	// Across a rotation of the secret: the next window's nonce made with the next period's secret.
	clock.Set(time.Date(2030, 1, 3, 23, 59, 30, 0, time.UTC))
	ahead, _ = a.Current(ctx, clock.Now().Add(time.Minute))
	check(b, ahead, true, false)
}

// TestReplayBound: the replay cache refuses a jti seen before; when Max live records are held it asks for a nonce
// (never evicting) and records proofs with one, up to twice Max, then refuses; it makes room as records expire.
func TestReplayBound(t *testing.T) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC))
	st := badgertest.New(t, clock.Now)
	ctx := context.Background()
	r := &Replay{Host: "h", Proofs: st.DPoPProofs(), Max: 2}
	exp := clock.Now().Add(time.Minute)
	if err := r.Record(ctx, "a", clock.Now(), exp, false); err != nil {
		t.Fatal(err)
	}
	if err := r.Record(ctx, "a", clock.Now(), exp, false); !errors.Is(err, errReplayed) {
		t.Fatalf("second a: %v", err)
	}
	if err := r.Record(ctx, "b", clock.Now(), exp, false); err != nil {
		t.Fatal(err)
	}
	// Full at Max: a proof without a nonce is asked for one, and nothing is written.
	if err := r.Record(ctx, "c", clock.Now(), exp, false); !errors.Is(err, errNeedNonce) {
		t.Fatalf("c without a nonce when full: %v", err)
	}
	// With a nonce it is recorded (a replay of it is refused), up to twice Max.
	if err := r.Record(ctx, "c", clock.Now(), exp, true); err != nil {
		t.Fatalf("c with a nonce when full: %v", err)
	}
	if err := r.Record(ctx, "c", clock.Now(), exp, true); !errors.Is(err, errReplayed) {
		t.Fatalf("c again: %v", err)
	}
	if err := r.Record(ctx, "d", clock.Now(), exp, true); err != nil {
		t.Fatalf("d with a nonce: %v", err)
	}
	var busy *Busy
	if err := r.Record(ctx, "e", clock.Now(), exp, true); !errors.As(err, &busy) || busy.Limited ||
		busy.RetryAfter != time.Minute+time.Second {
		t.Fatalf("e at twice Max: %v (%+v)", err, busy)
	}
	if n := r.Live(clock.Now()); n != 4 {
		t.Fatalf("Live = %d, want 4", n)
	}
	clock.Advance(time.Minute + 2*time.Second)
	if err := r.Record(ctx, "e", clock.Now(), clock.Now().Add(time.Minute), false); err != nil {
		t.Fatalf("e after expiry: %v", err)
	}
	if n := r.Live(clock.Now()); n != 1 {
		t.Fatalf("Live = %d, want 1", n)
	}
}

// TestThumbprint: the RFC 7638 §3.1 example key has the thumbprint the RFC gives.
func TestThumbprint(t *testing.T) {
	jwk := `{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`
	got, err := Thumbprint([]byte(jwk))
	if err != nil || got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Fatalf("Thumbprint = %q, %v", got, err)
	}
}
