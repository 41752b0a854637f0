package account

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// testParams are far below OWASP's so the suite stays fast; production uses the configured values.
var testParams = Params{Memory: 64, Iterations: 1, Parallelism: 1}

func TestHashVerify(t *testing.T) {
	h, err := NewHasher(testParams, 2)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", enc)
	}
	enc2, _ := h.Hash(ctx, "correct horse battery")
	if enc == enc2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name    string
		encoded string
		pw      string
		want    bool
		wantErr bool
	}{
		{"right password", enc, "correct horse battery", true, false},
		{"wrong password", enc, "correct horsE", false, false},
		{"empty password", enc, "", false, false},
		{"unknown user (dummy hash)", "", "correct horse battery", false, false},
		{"malformed hash", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "x", false, true},
		{"truncated hash", "$argon2id$v=19$m=64", "x", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.Verify(ctx, tt.encoded, tt.pw)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("Verify = %v, %v; want %v, err %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestVerifyUsesRecordedParams(t *testing.T) {
	old, _ := NewHasher(Params{Memory: 32, Iterations: 2, Parallelism: 1}, 1)
	enc, _ := old.Hash(context.Background(), "pw")
	cur, _ := NewHasher(testParams, 1)
	ok, err := cur.Verify(context.Background(), enc, "pw")
	if !ok || err != nil {
		t.Fatalf("a hash made with older parameters must still verify: %v %v", ok, err)
	}
	if !cur.NeedsRehash(enc) {
		t.Fatal("NeedsRehash = false for a hash with other parameters")
	}
	fresh, _ := cur.Hash(context.Background(), "pw")
	if cur.NeedsRehash(fresh) {
		t.Fatal("NeedsRehash = true for a current hash")
	}
}

// The semaphore bounds concurrent hashing: with MaxConcurrent 1, a second hash waits, and gives up with its
// context.
func TestHashConcurrencyBound(t *testing.T) {
	h, _ := NewHasher(testParams, 1)
	h.sem <- struct{}{} // occupy the only slot
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "pw"); err == nil {
		t.Fatal("Hash ran although no slot was free")
	}
	<-h.sem
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.Hash(context.Background(), "pw"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func BenchmarkHashOWASP(b *testing.B) {
	h, _ := NewHasher(Params{Memory: 19456, Iterations: 2, Parallelism: 1}, 2)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, _ = h.Hash(context.Background(), "correct horse battery staple")
	}
}
