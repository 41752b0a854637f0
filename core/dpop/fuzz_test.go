package dpop

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// FuzzCheck feeds arbitrary DPoP header values to a real checker (on a Badger store) and arbitrary text to the
// key and URL parsers: none may panic, a proof that is not a valid one is refused with an *Error (a client
// mistake, answered invalid_dpop_proof), never with a server error, and a thumbprint is only made of a key that
// publicKey accepts.
func FuzzCheck(f *testing.F) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	s := newSigner(f)
	f.Add(s.proof(f, clock.Now(), ""))
	f.Add(s.proof(f, clock.Now(), "nonce"))
	f.Add("eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2In0.e30.")
	f.Add(`{"kty":"RSA","n":"AQAB","e":"AQAB"}`)
	f.Add(`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`)
	f.Add("https://ID.example:443/oauth2/token?x#y")
	st := badgertest.New(f, clock.Now)
	c := instance(st, clock, false)
	f.Fuzz(func(t *testing.T, in string) {
		_, err := c.Check(t.Context(), &Request{Method: "POST", URL: target, Proofs: []string{in}})
		var refused *Error
		if err != nil && !errors.As(err, &refused) {
			t.Fatalf("Check(%q) failed as the server's fault: %v", in, err)
		}
		if _, _, err := publicKey(json.RawMessage(in)); err == nil {
			if _, err := Thumbprint(json.RawMessage(in)); err != nil {
				t.Fatalf("publicKey accepts %q but Thumbprint refuses it: %v", in, err)
			}
		}
		_, _ = normalURL(in)
	})
}
