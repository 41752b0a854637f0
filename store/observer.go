package store

import "time"

// Operation kinds an Observer is told of.
const (
	OpRead  = "read"  // one read (a get, a list, a lookup)
	OpWrite = "write" // one write, from its admission to its durable commit (waits and retries included)
)

// Observer is told what a backend's operations cost, as they happen, for latency and batch-size histograms (the
// metrics). Its methods run on the request path: they must be fast, must not block and must be safe for
// concurrent use.
type Observer interface {
	// StoreOp reports one operation of kind OpRead or OpWrite and how long it took, failed ones included.
	StoreOp(kind string, took time.Duration)
	// StoreCommit reports one commit of a write transaction: the writes it carried (more than 1 only where the
	// backend commits several writes together, as Badger's group commit does) and how long the commit took, its
	// sync included.
	StoreCommit(writes int, took time.Duration)
}
