package cimd

// Waiting is how many callers wait for the fetch of url in progress (0: none in progress).
func (f *Fetcher) Waiting(url string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.inflight[url]; ok {
		return c.waiters
	}
	return 0
}
