package token

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/assentry/assentry/store"
)

var (
	kekA = bytes.Repeat([]byte{0xA5}, KEKSize)
	kekB = bytes.Repeat([]byte{0x5A}, KEKSize)
)

func TestPrivateKeysAtRest(t *testing.T) {
	tests := []struct {
		name       string
		createKEK  []byte // the KEK of the Manager that created the keys
		readKEK    []byte // the KEK of the Manager started later on the same store
		wantErr    error
		wantSealed bool // every stored private key is sealed after the second Manager's Ensure
	}{
		{name: "sealed, read with the same KEK", createKEK: kekA, readKEK: kekA, wantSealed: true},
		{name: "sealed, read with another KEK", createKEK: kekA, readKEK: kekB, wantErr: ErrUndecryptable, wantSealed: true},
		{name: "sealed, read without a KEK", createKEK: kekA, readKEK: nil, wantErr: ErrUndecryptable, wantSealed: true},
		{name: "plaintext, read without a KEK", createKEK: nil, readKEK: nil, wantSealed: false},
		{name: "plaintext, KEK configured later: still readable, then sealed", createKEK: nil, readKEK: kekA, wantSealed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			first := e.manager(t, func(o *Options) { o.KEK = tt.createKEK })
			useFixtures(t, first)
			if err := first.Ensure(ctx); err != nil {
				t.Fatal(err)
			}
			created := e.stored(t)
			for _, rec := range created {
				der, err := x509.MarshalPKCS8PrivateKey(fixture(t, rec.Algorithm))
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case tt.createKEK == nil && (rec.Private[0] != envelopePlain || !bytes.Equal(rec.Private[1:], der)):
					t.Errorf("%s: without a KEK, want the plaintext envelope of the PKCS#8 DER", rec.Algorithm)
				case tt.createKEK != nil && (rec.Private[0] != envelopeAESGCM || bytes.Contains(rec.Private, der)):
					t.Errorf("%s: with a KEK, the stored private key is not sealed", rec.Algorithm)
				}
			}

			second := e.manager(t, func(o *Options) { o.KEK = tt.readKEK })
			err := second.Ensure(ctx)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("second Ensure: %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				wantUndecryptableMessage(t, err, created)
				if after := e.stored(t); !slices.EqualFunc(after, created, func(a, b *store.Key) bool { return bytes.Equal(a.Private, b.Private) }) {
					t.Error("a failed Ensure wrote keys")
				}
				return
			}
			for _, alg := range SupportedAlgorithms() {
				if _, err := second.Parse(ctx, e.sign(t, second, alg), nil); err != nil {
					t.Errorf("%s after a restart: %v", alg, err)
				}
			}
			if _, err := second.Rotate(ctx, EdDSA); err != nil { // a new key follows the KEK now configured
				t.Fatal(err)
			}
			for _, rec := range e.stored(t) {
				if sealed(rec.Private) != tt.wantSealed {
					t.Errorf("%s key %s: sealed = %v, want %v", rec.Algorithm, rec.ID, sealed(rec.Private), tt.wantSealed)
				}
			}
		})
	}
}

// wantUndecryptableMessage checks the operator sees which key failed and why, and nothing else.
func wantUndecryptableMessage(t testing.TB, err error, recs []*store.Key) {
	t.Helper()
	for _, rec := range recs {
		if err.Error() == fmt.Sprintf("signing key %s cannot be decrypted: wrong or missing key_encryption_key", rec.ID) {
			return
		}
	}
	t.Errorf("error %q does not name a stored key as undecryptable", err)
}

func TestEnvelope(t *testing.T) {
	der := []byte("0\x82 not really PKCS#8, but the envelope does not care")
	good, err := seal(kekA, "h1", "kid-1", der)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := seal(kekA, "h1", "kid-1", der)
	if bytes.Equal(good, again) {
		t.Fatal("two seals of the same key are identical: the nonce is not random")
	}
	plain, _ := seal(nil, "h1", "kid-1", der)
	flipped := slices.Clone(good)
	flipped[len(flipped)-1] ^= 1

	tests := []struct {
		name    string
		kek     []byte
		host    string
		kid     string
		env     []byte
		wantErr string // substring; "" for success
	}{
		{name: "sealed", kek: kekA, host: "h1", kid: "kid-1", env: good},
		{name: "plaintext without a KEK", host: "h1", kid: "kid-1", env: plain},
		{name: "plaintext with a KEK", kek: kekA, host: "h1", kid: "kid-1", env: plain},
		{name: "another KEK", kek: kekB, host: "h1", kid: "kid-1", env: good, wantErr: "signing key kid-1 cannot be decrypted: wrong or missing key_encryption_key"},
		{name: "no KEK", host: "h1", kid: "kid-1", env: good, wantErr: "signing key kid-1 cannot be decrypted"},
		{name: "moved to another kid", kek: kekA, host: "h1", kid: "kid-2", env: good, wantErr: "cannot be decrypted"},
		{name: "moved to another host", kek: kekA, host: "h2", kid: "kid-1", env: good, wantErr: "cannot be decrypted"},
		{name: "host and kid boundary moved", kek: kekA, host: "h", kid: "1kid-1", env: good, wantErr: "cannot be decrypted"},
		{name: "altered ciphertext", kek: kekA, host: "h1", kid: "kid-1", env: flipped, wantErr: "cannot be decrypted"},
		{name: "truncated", kek: kekA, host: "h1", kid: "kid-1", env: good[:10], wantErr: "cannot be decrypted"},
		{name: "empty", kek: kekA, host: "h1", kid: "kid-1", env: nil, wantErr: "signing key kid-1 has no private part"},
		{name: "bare DER", kek: kekA, host: "h1", kid: "kid-1", env: der, wantErr: "unknown private key envelope version 48"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := open(tt.kek, tt.host, tt.kid, tt.env)
			switch {
			case tt.wantErr == "" && (err != nil || !bytes.Equal(got, der)):
				t.Errorf("open = %q, %v; want the DER", got, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("open error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
