package badger

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	bdg "github.com/dgraph-io/badger/v4"
)

// BenchmarkBadgerFloor is what Badger alone costs for the store operations of one request, with the store's own
// options (durable, same sizes), group-committed the way the store commits (concurrent writes share one
// transaction and one sync), but with nothing of ours: no records to encode or decode (fixed values of a real
// record's size), no overlay, no checks. Run it with -cpu 1 to match a server pinned to one core: ns/op is then
// the floor of one request's store work on that core, below which no change of ours above Badger can go.
//
//   - refresh: a rotation as tokenStore.Get then Rotate do it: read the token and its grant, then, in the
//     batch, read both again and write the old token, the new refresh and access tokens, the grant and its two
//     index entries (5 reads, 6 writes).
//   - refresh-min: the least any rotation with reuse detection must do: read the token and grant once, write the
//     old token and the two new ones (2 reads, 3 writes).
//   - client_credentials: create a grant, its client index entry and an access token (3 writes, no reads).
//   - introspect: read a token and its grant (2 reads).
//   - code: the silent round trip's two writes: read the session and the consent, write the grant, its two index
//     entries and the code (authorization); then read the code and its grant, write the used code and the two
//     tokens (exchange): 4 reads, 7 writes, two syncs.
func BenchmarkBadgerFloor(b *testing.B) {
	type batch struct{ reads, writes int } // one group-committed write: reads, then writes, in the batch
	shapes := []struct {
		name      string
		viewReads int
		batches   []batch
	}{
		{"refresh", 2, []batch{{2, 6}}},
		{"refresh-min", 0, []batch{{2, 3}}},
		{"client_credentials", 0, []batch{{0, 3}}},
		{"introspect", 2, nil},
		{"code", 2, []batch{{0, 4}, {2, 3}}},
	}
	for _, sh := range shapes {
		b.Run(sh.name, func(b *testing.B) {
			db, err := bdg.Open(badgerOptions(Options{Dir: b.TempDir()}, slog.New(slog.DiscardHandler)))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			value := make([]byte, 360) // a token or grant record's JSON is 300 to 400 bytes
			_, _ = rand.Read(value)
			// Records to read: one chain per worker, as the load test's refresh scenario has.
			const workers = 32
			chains := make(chan []byte, workers*runtime.GOMAXPROCS(0))
			for range cap(chains) {
				k := floorKey()
				if err := db.Update(func(tx *bdg.Txn) error { return tx.Set(k, value) }); err != nil {
					b.Fatal(err)
				}
				chains <- k
			}
			c := newFloorCommitter(db)
			defer c.close()
			var failed atomic.Bool
			b.SetParallelism(workers)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				read := <-chains
				get := func(tx *bdg.Txn) error {
					item, err := tx.Get(read)
					if err != nil {
						return err
					}
					_, err = item.ValueCopy(nil)
					return err
				}
				for pb.Next() {
					if sh.viewReads > 0 {
						if err := db.View(func(tx *bdg.Txn) error {
							for range sh.viewReads {
								if err := get(tx); err != nil {
									return err
								}
							}
							return nil
						}); err != nil {
							failed.Store(true)
							return
						}
					}
					for _, bt := range sh.batches {
						keys := make([][]byte, bt.writes)
						for i := range keys {
							keys[i] = floorKey()
						}
						if err := c.do(func(tx *bdg.Txn) error {
							for range bt.reads {
								if err := get(tx); err != nil {
									return err
								}
							}
							for _, k := range keys {
								if err := tx.SetEntry(bdg.NewEntry(k, value).WithTTL(2 * time.Hour)); err != nil {
									return err
								}
							}
							return nil
						}); err != nil {
							failed.Store(true)
							return
						}
					}
				}
			})
			if failed.Load() {
				b.Fatal("a store operation failed")
			}
		})
	}
}

// floorKey is a token key of the store's layout with a random id.
func floorKey() []byte {
	var id [32]byte
	_, _ = rand.Read(id[:])
	return key("bench", kindToken, base64.RawURLEncoding.EncodeToString(id[:]))
}

// floorCommitter is the least group commit: the functions queued while a batch commits run in the next batch's
// transaction, and each caller is answered after that commit (one sync).
type floorCommitter struct {
	db    *bdg.DB
	queue chan floorOp
	done  chan struct{}
}

type floorOp struct {
	fn  func(*bdg.Txn) error
	out chan error
}

func newFloorCommitter(db *bdg.DB) *floorCommitter {
	c := &floorCommitter{db: db, queue: make(chan floorOp, maxBatchOps), done: make(chan struct{})}
	go c.run()
	return c
}

func (c *floorCommitter) do(fn func(*bdg.Txn) error) error {
	out := make(chan error, 1)
	c.queue <- floorOp{fn, out}
	return <-out
}

func (c *floorCommitter) close() { close(c.queue); <-c.done }

func (c *floorCommitter) run() {
	defer close(c.done)
	for first := range c.queue {
		batch := []floorOp{first}
	drain:
		for len(batch) < maxBatchOps {
			select {
			case o, ok := <-c.queue:
				if !ok {
					break drain
				}
				batch = append(batch, o)
			default:
				break drain
			}
		}
		tx := c.db.NewTransaction(true)
		var err error
		for _, o := range batch {
			if err = o.fn(tx); err != nil {
				break
			}
		}
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Discard()
			err = fmt.Errorf("floor batch: %w", err)
		}
		for _, o := range batch {
			o.out <- err
		}
	}
}
