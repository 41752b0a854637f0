package together

import "sync"

// Run runs fn(0..n-1) in n goroutines released at the same moment, waits for them all and returns their errors,
// errs[i] being fn(i)'s.
func Run(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}
