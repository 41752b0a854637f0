package token

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewValidatesOptions(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		edit func(*Options)
		want string // substring of the error; "" for none
	}{
		{name: "defaults", edit: func(*Options) {}},
		{name: "32-byte KEK", edit: func(o *Options) { o.KEK = make([]byte, 32) }},
		{name: "empty KEK means none", edit: func(o *Options) { o.KEK = []byte{} }},
		{name: "no host", edit: func(o *Options) { o.Host = "" }, want: "Host is required"},
		{name: "no store", edit: func(o *Options) { o.Keys = nil }, want: "Keys is required"},
		{name: "short KEK", edit: func(o *Options) { o.KEK = make([]byte, 16) }, want: "KEK must be 32 bytes, not 16"},
		{name: "unknown algorithm", edit: func(o *Options) { o.Algorithms = []string{"RS256", "HS256"} }, want: `unknown signing algorithm "HS256"`},
		{name: "duplicate algorithm", edit: func(o *Options) { o.Algorithms = []string{"ES256", "ES256"} }, want: "ES256 listed twice"},
		{name: "short publish ahead, quicker refresh", edit: func(o *Options) { o.PublishAhead = 8 * time.Second }},
		{name: "refresh more than half of publish ahead", edit: func(o *Options) { o.PublishAhead = 90 * time.Second; o.RefreshInterval = time.Minute }, want: "RefreshInterval 1m0s is more than half of PublishAhead 1m30s"},
		{name: "negative refresh", edit: func(o *Options) { o.RefreshInterval = -time.Second }, want: "RefreshInterval -1s must be positive"},
		{name: "negative publish ahead", edit: func(o *Options) { o.PublishAhead = -time.Second }, want: "PublishAhead -1s is negative"},
		{name: "rotation not longer than publish ahead", edit: func(o *Options) { o.RotationInterval = time.Minute }, want: "must be longer than PublishAhead"},
		{name: "small RSA", edit: func(o *Options) { o.RSABits = 1024 }, want: "RSABits 1024 is below 2048"},
		{name: "negative max token ttl", edit: func(o *Options) { o.MaxTokenTTL = -time.Second }, want: "MaxTokenTTL -1s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Host: testHost, Keys: e.st.Keys()}
			tt.edit(&o)
			_, err := New(o)
			if got := errString(err); tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("New error = %q, want %q", got, tt.want)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := New(Options{KEK: []byte("short"), RSABits: 512})
	for _, want := range []string{"Host is required", "Keys is required", "KEK must be", "RSABits 512"} {
		if !strings.Contains(errString(err), want) {
			t.Errorf("error %q lacks %q", errString(err), want)
		}
	}
}

func TestEnsure(t *testing.T) {
	tests := []struct {
		name string
		algs []string
		want []string // algorithms of the listed keys, in Options.Algorithms order
	}{
		{name: "default: every supported algorithm", want: []string{RS256, ES256, EdDSA}},
		{name: "one algorithm", algs: []string{ES256}, want: []string{ES256}},
		{name: "two algorithms", algs: []string{EdDSA, RS256}, want: []string{EdDSA, RS256}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			edit := func(o *Options) { o.Algorithms = tt.algs }
			m := e.ensured(t, edit)
			first := listed(t, m)
			if got := algsOf(first); !slices.Equal(got, tt.want) {
				t.Fatalf("keys of %v, want %v", got, tt.want)
			}
			for _, k := range first {
				if k.State != StateSigning || !k.NotBefore.Equal(e.clock.Now()) || !k.ExpiresAt.IsZero() {
					t.Errorf("first-start key %+v: want signing from now, no expiry", k)
				}
			}

			// Idempotent, also a minute later and from a new Manager on the same store: the keys are persisted.
			e.clock.Advance(time.Minute)
			if err := m.Ensure(ctx); err != nil {
				t.Fatal(err)
			}
			m2 := e.ensured(t, edit)
			if again := listed(t, m2); !slices.Equal(again, first) {
				t.Errorf("after a second Ensure and a new Manager: %+v, want %+v", again, first)
			}
			for _, alg := range tt.want {
				if kidOf(t, e.sign(t, m2, alg)) != kidOf(t, e.sign(t, m, alg)) {
					t.Errorf("%s: the two Managers sign with different keys", alg)
				}
			}
		})
	}
}

func TestEnsureAddsAnAlgorithm(t *testing.T) {
	e := newEnv(t)
	e.ensured(t, func(o *Options) { o.Algorithms = []string{RS256} })
	e.clock.Advance(time.Hour)
	m := e.ensured(t, func(o *Options) { o.Algorithms = []string{RS256, EdDSA} })
	if got := algsOf(listed(t, m)); !slices.Equal(got, []string{RS256, EdDSA}) {
		t.Fatalf("keys of %v, want RS256 then EdDSA", got)
	}
	e.sign(t, m, EdDSA) // the new algorithm signs at once
}

func listed(t testing.TB, m *Manager) []KeyInfo {
	t.Helper()
	ks, err := m.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func algsOf(ks []KeyInfo) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.Algorithm)
	}
	return out
}
