package cimd

import (
	"container/list"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// cacheTTL is how long a document may be kept, from its Cache-Control header
// (draft-ietf-oauth-client-id-metadata-document-02 §5.2: the server SHOULD respect the HTTP caching headers and
// MAY bound them): no-store and no-cache are never kept (0); max-age is clamped to [lo, hi]; without either,
// lo.
func cacheTTL(h http.Header, lo, hi time.Duration) time.Duration {
	ttl, seen := lo, false
	for _, line := range h.Values("Cache-Control") {
		for _, d := range strings.Split(line, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "no-store", "no-cache":
				return 0
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(value, `"`), 10, 64)
				if err != nil || n < 0 || seen {
					continue // a malformed or repeated max-age counts for nothing (RFC 9111 §4.2.1)
				}
				// Capped before the multiplication, which a huge max-age would overflow.
				seen, ttl = true, time.Duration(min(n, int64(hi/time.Second)+1))*time.Second
			}
		}
	}
	return max(lo, min(ttl, hi))
}

// lru is a bounded least-recently-used cache of documents by URL. Expired entries are dropped when met.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *entry, most recently used first
	byURL map[string]*list.Element
}

type entry struct {
	url     string
	doc     *document
	expires time.Time
}

func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), byURL: map[string]*list.Element{}}
}

// get returns the document of url when it is cached and has not expired at now.
func (c *lru) get(url string, now time.Time) *document {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byURL[url]
	if !ok {
		return nil
	}
	e := el.Value.(*entry)
	if !now.Before(e.expires) {
		c.order.Remove(el)
		delete(c.byURL, url)
		return nil
	}
	c.order.MoveToFront(el)
	return e.doc
}

// put keeps doc until expires, evicting the least recently used entry when the cache is full.
func (c *lru) put(url string, doc *document, expires time.Time) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byURL[url]; ok {
		el.Value = &entry{url: url, doc: doc, expires: expires}
		c.order.MoveToFront(el)
		return
	}
	for c.order.Len() >= c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byURL, last.Value.(*entry).url)
	}
	c.byURL[url] = c.order.PushFront(&entry{url: url, doc: doc, expires: expires})
}
