package badger

import (
	"bufio"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// BenchmarkTokenGetAtScale reads random live access tokens (as introspection and userinfo do: the token and its
// grant) from a store holding 1,000 and 1,000,000 of them, reopened after loading as a restarted server would be.
// Token ids are random digests, as in production, so reads hit the whole key space. anon-MiB is the process's
// anonymous memory (RssAnon) after the reads: the memory-mapped tables are not counted, Badger's caches and
// memtables are. The 1,000,000 case writes about 600 MB and takes a minute to load; it runs only with -bench.
func BenchmarkTokenGetAtScale(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			ids := loadTokens(b, dir, n)
			s, err := Open(b.Context(), Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			runtime.GC()
			debug.FreeOSMemory()
			r := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Tokens().Get(b.Context(), "bench", ids[r.IntN(len(ids))]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(rssAnonKiB())/1024, "anon-MiB")
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-inuse-MiB")
		})
	}
}

// loadTokens stores n access tokens with random ids in a store at dir, 1,000 per grant and per write, closes the
// store, compacted, and returns the ids.
func loadTokens(b *testing.B, dir string, n int) []string {
	b.Helper()
	s, err := Open(b.Context(), Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const perGrant = 1_000
	now := time.Now()
	ids := make([]string, 0, n)
	for g := 0; len(ids) < n; g++ {
		grant := &store.Grant{ID: fmt.Sprint("g", g), Host: "bench", UserID: "u1", ClientID: "c1",
			Scopes: []string{"openid", "profile"}, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
		if err := s.Grants().Create(b.Context(), grant); err != nil {
			b.Fatal(err)
		}
		toks := make([]*store.Token, 0, perGrant)
		for range min(perGrant, n-len(ids)) {
			id := randomDigest()
			ids = append(ids, id)
			toks = append(toks, &store.Token{ID: id, Host: "bench", Kind: store.AccessToken, GrantID: grant.ID,
				ClientID: "c1", UserID: "u1", Scopes: grant.Scopes, IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
		}
		if err := s.Tokens().Put(b.Context(), toks...); err != nil {
			b.Fatal(err)
		}
	}
	// A server holding this many tokens has written them over time, and compaction has kept up: compact what was
	// loaded in seconds, so that the reads measure the steady state rather than a compaction backlog.
	if err := s.db.Flatten(numCompactors); err != nil {
		b.Fatal(err)
	}
	return ids
}

// randomDigest is a token id as the server makes them: the base64url SHA-256 of a random secret.
func randomDigest() string {
	var secret [32]byte
	_, _ = crand.Read(secret[:])
	sum := sha256.Sum256(secret[:])
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// rssAnonKiB is this process's anonymous resident memory, from /proc/self/status (0 where there is none).
func rssAnonKiB() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "RssAnon:"); ok {
			kib, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kib
		}
	}
	return 0
}
