package oauthbearer

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"time"
)

// cache remembers introspection answers: bounded in entries (the least recently used goes first), each entry
// kept until its own deadline. Keys are SHA-256 digests, so the cache never holds a token.
type cache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List // front: most recently used
	items map[[32]byte]*list.Element
}

type cacheEntry struct {
	key     [32]byte
	tok     *Token // nil: the token was not valid (a negative answer)
	reason  string // why, for a negative answer
	expires time.Time
}

func newCache(max int) *cache {
	return &cache{max: max, ll: list.New(), items: make(map[[32]byte]*list.Element)}
}

func cacheKey(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// get returns the entry for key if it is still valid at now.
func (c *cache) get(key [32]byte, now time.Time) (*cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	// An expired entry goes at once, so that a dead token's slot is free for the next one.
	if !now.Before(e.expires) {
		c.ll.Remove(el)
		delete(c.items, key)
		return nil, false
	}
	c.ll.MoveToFront(el)
	return e, true
}

// put stores e, evicting the least recently used entry beyond the bound.
func (c *cache) put(e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Two authentications with the same token that missed the cache together both fetched it: keep the later.
	if el, ok := c.items[e.key]; ok {
		el.Value = e
		c.ll.MoveToFront(el)
		return
	}
	c.items[e.key] = c.ll.PushFront(e)
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*cacheEntry).key)
	}
}

// len is the number of entries, expired or not.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
