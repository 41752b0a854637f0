package badger_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/store/badger"
)

// BenchmarkBackup measures a full backup and a restore of a store holding ASSENTRY_BENCH_TOKENS client
// credentials grants, each with its access token (default 100000): the README quotes its numbers. Run it with
// -benchtime=1x; filling the store is not timed.
func BenchmarkBackup(b *testing.B) {
	n := 100000
	if s := os.Getenv("ASSENTRY_BENCH_TOKENS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ctx := b.Context()
	dir := b.TempDir()
	s, err := badger.Open(ctx, badger.Options{Dir: dir, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	const writers = 64
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += writers {
				if err := issueCC(ctx, s, fmt.Sprintf("%064d", i)); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		path := filepath.Join(b.TempDir(), "backup")
		start := time.Now()
		info, err := badger.WriteBackupFile(ctx, path, s.Backup)
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		start = time.Now()
		if _, err := badger.Restore(ctx, path, filepath.Join(b.TempDir(), "restored"), quiet); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(info.Size)/(1<<20), "MiB")
		b.ReportMetric(took.Seconds(), "backup-s")
		b.ReportMetric(time.Since(start).Seconds(), "restore-s")
	}
}
