package main

import (
	"sync"

	"github.com/assentry/assentry/core/account"
)

// hasherKey names a host's password hasher: the same host with the same argon2 settings gets the same one.
type hasherKey struct {
	host          string
	params        account.Params
	maxConcurrent int
}

// hashers are the password hashers of one generation, handed on to the next. Making a hasher hashes a random
// password (about as long as a login), which was most of a reload's time; a hasher holds nothing but its
// parameters and its bound on concurrent hashes, so a reloaded host can keep its own, and its bound then
// covers the requests of both generations while the old one drains.
type hashers struct {
	prev map[hasherKey]*account.Hasher // the previous generation's; read only

	mu   sync.Mutex
	used map[hasherKey]*account.Hasher
}

func newHashers(prev *hashers) *hashers {
	h := &hashers{used: map[hasherKey]*account.Hasher{}}
	if prev != nil {
		h.prev = prev.used
	}
	return h
}

// get returns the previous generation's hasher for host and params, or a new one; it is assembly.Options.NewHasher.
func (h *hashers) get(host string, p account.Params, maxConcurrent int) (*account.Hasher, error) {
	k := hasherKey{host, p, maxConcurrent}
	h.mu.Lock()
	defer h.mu.Unlock()
	if hs, ok := h.used[k]; ok {
		return hs, nil
	}
	hs, ok := h.prev[k]
	if !ok {
		var err error
		if hs, err = account.NewHasher(p, maxConcurrent); err != nil {
			return nil, err
		}
	}
	h.used[k] = hs
	return hs, nil
}
