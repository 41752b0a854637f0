package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"time"

	pgstore "github.com/assentry/assentry/store/postgres"
)

// The sweep of a PostgreSQL store's expired rows: every instance tries each sweepEvery, and the one holding the
// lease (sweepLease long, renewed by each of its sweeps) removes up to sweepLimit rows per table. Expired rows
// are absent to every read already; the sweep only keeps the tables from growing. Badger's TTLs do this for it.
const (
	sweepEvery = time.Minute
	sweepLease = 3 * time.Minute
	sweepLimit = 1000
)

// startSweep runs the sweep of st until ctx ends, when st is a PostgreSQL store; Badger needs none.
func startSweep(ctx context.Context, st backend, log *slog.Logger) {
	pg, ok := st.(*pgstore.Store)
	if !ok {
		return
	}
	host, _ := os.Hostname()
	holder := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), rand.Text()[:8])
	go func() {
		t := time.NewTicker(sweepEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			n, held, err := pg.Sweep(ctx, holder, sweepLease, sweepLimit)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("sweeping expired rows", "err", err)
			case held && n > 0:
				log.Debug("swept expired rows", "rows", n)
			}
		}
	}()
}
