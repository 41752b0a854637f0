package oauth

import (
	"context"
	"sync"
	"time"

	"github.com/assentry/assentry/store"
)

// Client lookups are on every client-authenticated request (token, introspection, revocation, device) and on
// every authorization request: with the store behind them they cost a read transaction each, the largest part
// of a client credentials request's CPU. Static clients change rarely and only through Clients, so Clients keeps
// what it read for a few seconds.
const (
	// clientCacheTTL bounds how long a change made outside this process (another instance, the CLI on a stopped
	// server) can go unseen; changes made through Clients are seen at once.
	clientCacheTTL = 5 * time.Second
	// clientCacheMax bounds the cache; past it, it starts again empty.
	clientCacheMax = 4096
)

// cachedClients is a store.ClientStore that remembers the clients it read for clientCacheTTL and forgets one as
// soon as it is written through it. Only found clients are kept (an unknown id is read every time, so a client
// created elsewhere is never refused for long). Get returns a copy: callers may change what they get.
type cachedClients struct {
	store.ClientStore
	now func() time.Time

	mu      sync.RWMutex
	entries map[string]cachedClient // by host and id
}

type cachedClient struct {
	c  store.Client
	at time.Time
}

func newCachedClients(s store.ClientStore, now func() time.Time) *cachedClients {
	return &cachedClients{ClientStore: s, now: now, entries: map[string]cachedClient{}}
}

func cacheKey(host, id string) string { return host + "\x00" + id }

func (cc *cachedClients) Get(ctx context.Context, host, id string) (*store.Client, error) {
	k := cacheKey(host, id)
	now := cc.now()
	cc.mu.RLock()
	e, ok := cc.entries[k]
	cc.mu.RUnlock()
	if ok && now.Sub(e.at) < clientCacheTTL && !now.Before(e.at) {
		c := e.c
		return &c, nil
	}
	c, err := cc.ClientStore.Get(ctx, host, id)
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	if len(cc.entries) >= clientCacheMax {
		clear(cc.entries)
	}
	cc.entries[k] = cachedClient{c: *c, at: now}
	cc.mu.Unlock()
	out := *c
	return &out, nil
}

// forget drops one client, before and after the write that changes it, so a concurrent Get cannot put back
// what was there before.
func (cc *cachedClients) forget(host, id string) {
	cc.mu.Lock()
	delete(cc.entries, cacheKey(host, id))
	cc.mu.Unlock()
}

func (cc *cachedClients) Create(ctx context.Context, c *store.Client) error {
	defer cc.forget(c.Host, c.ID)
	cc.forget(c.Host, c.ID)
	return cc.ClientStore.Create(ctx, c)
}

func (cc *cachedClients) Put(ctx context.Context, c *store.Client) error {
	defer cc.forget(c.Host, c.ID)
	cc.forget(c.Host, c.ID)
	return cc.ClientStore.Put(ctx, c)
}

func (cc *cachedClients) Update(ctx context.Context, c *store.Client) error {
	defer cc.forget(c.Host, c.ID)
	cc.forget(c.Host, c.ID)
	return cc.ClientStore.Update(ctx, c)
}

func (cc *cachedClients) Delete(ctx context.Context, host, id string) error {
	defer cc.forget(host, id)
	cc.forget(host, id)
	return cc.ClientStore.Delete(ctx, host, id)
}
