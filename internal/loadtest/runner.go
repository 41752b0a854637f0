package loadtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// scenario is one kind of load. setup checks the credentials and prepares what the workers share; newWorker
// prepares one worker (its sign-in, its token); close releases what setup started. Their errors are stepErrors
// or plain errors, which the runner reports as a SetupError.
type scenario interface {
	legs() []string // the timed parts of an iteration, if it has more than one
	setup(ctx context.Context) error
	newWorker(ctx context.Context, i int) (worker, error)
	close()
}

// worker runs iterations one after another. iterate does one and returns "" for a success or the kind of its
// failure ("HTTP 400 invalid_grant", "timeout"); it sets legs[i] to the duration of each part that succeeded.
// stop ends this worker (a refresh chain that cannot go on).
type worker interface {
	iterate(ctx context.Context, legs []time.Duration) (kind string, stop bool)
}

// Phases of a scenario's run.
const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseStop
)

// workerStats are one worker's records: its own, so recording takes no lock; merged when the scenario ends.
type workerStats struct {
	ok     int64
	errs   map[string]int64
	hist   histogram
	legs   []histogram
	ends   time.Time // when its last recorded iteration ended
	legBuf []time.Duration
}

// setupParallel bounds the workers that sign in at once: a server hashes passwords at a bounded concurrency,
// and a queue of logins longer than the request timeout would fail the setup for nothing.
const setupParallel = 8

// runScenario sets a scenario up, runs its warmup and its measured phase, and merges what the workers recorded.
func runScenario(ctx context.Context, o *Options, name string, sc scenario) (*ScenarioResult, error) {
	defer sc.close()
	fail := func(err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		se := &SetupError{Scenario: name, Step: "setup", Err: err}
		var st *stepError
		if errors.As(err, &st) {
			se.Step, se.Err = st.step, st.err
		}
		return se
	}
	o.progress("%s: setting up %d workers", name, o.Workers)
	if err := sc.setup(ctx); err != nil {
		return nil, fail(err)
	}
	workers, err := newWorkers(ctx, sc, o.Workers)
	if err != nil {
		return nil, fail(err)
	}

	// The iterations run on their own context: the end of the measured phase lets the requests in flight finish
	// (they started inside it), and a server that still has not answered after the timeout is cut off.
	runCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopOnParent := context.AfterFunc(ctx, cancel)
	defer stopOnParent()

	var phase atomic.Int32
	var issued atomic.Int64
	nlegs := len(sc.legs())
	stats := make([]*workerStats, len(workers))
	var wg sync.WaitGroup
	for i, w := range workers {
		st := &workerStats{legs: make([]histogram, nlegs), legBuf: make([]time.Duration, nlegs)}
		stats[i] = st
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.loop(runCtx, ctx, w, &phase, &issued, o.Requests)
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	interrupted := false
	if o.Warmup > 0 {
		o.progress("%s: warming up for %s", name, o.Warmup)
		interrupted = waitPhase(ctx, o.Warmup, done)
	}
	phase.Store(phaseMeasure)
	start := time.Now()
	if o.started != nil {
		o.started(name)
	}
	if !interrupted {
		o.progress("%s: measuring for %s", name, o.Duration)
		interrupted = waitPhase(ctx, o.Duration, done)
	}
	phase.Store(phaseStop)
	grace := time.NewTimer(o.Timeout)
	select {
	case <-done:
	case <-grace.C:
		cancel()
		<-done
	}
	grace.Stop()
	return merge(name, sc.legs(), stats, start, interrupted || ctx.Err() != nil), nil
}

// newWorkers prepares every worker: the first alone, so that a wrong password or a missing form is one clear
// error (and not one failed login per worker against the server's rate limits), then the others a few at a time.
func newWorkers(ctx context.Context, sc scenario, n int) ([]worker, error) {
	workers := make([]worker, n)
	w, err := sc.newWorker(ctx, 0)
	if err != nil {
		return nil, err
	}
	workers[0] = w
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		slots = make(chan struct{}, setupParallel)
	)
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-slots }()
			if ctx.Err() != nil {
				return
			}
			w, err := sc.newWorker(ctx, i)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = err
				cancel()
			}
			workers[i] = w
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return workers, nil
}

// loop runs iterations until the phase is stop, the request bound is reached, or the run is cancelled. Only an
// iteration that started in the measured phase is recorded; one that a cancellation cut short is a timeout when
// the run ended it (the server did not answer within the timeout after the end), and is not recorded when the
// user interrupted the run (parent done).
func (st *workerStats) loop(ctx, parent context.Context, w worker, phase *atomic.Int32, issued *atomic.Int64, limit int64) {
	legs := st.legBuf
	for {
		p := phase.Load()
		if p == phaseStop || ctx.Err() != nil {
			return
		}
		measured := p == phaseMeasure
		if measured && limit > 0 && issued.Add(1) > limit {
			return
		}
		clear(legs)
		t0 := time.Now()
		kind, stop := w.iterate(ctx, legs)
		end := time.Now()
		if measured {
			if ctx.Err() != nil {
				if parent.Err() != nil {
					return
				}
				if kind != "" {
					kind = "timeout"
				}
			}
			st.ends = end
			for i, d := range legs {
				if d > 0 {
					st.legs[i].record(d)
				}
			}
			if kind == "" {
				st.ok++
				st.hist.record(end.Sub(t0))
			} else {
				if st.errs == nil {
					st.errs = map[string]int64{}
				}
				st.errs[kind]++
			}
		}
		if stop {
			return
		}
	}
}

// merge adds up the workers' records. The measured time runs from the start of the measured phase to the end of
// the last recorded iteration.
func merge(name string, legNames []string, stats []*workerStats, start time.Time, interrupted bool) *ScenarioResult {
	var total histogram
	legs := make([]histogram, len(legNames))
	errs := map[string]int64{}
	var ok, nerr int64
	end := start
	for _, st := range stats {
		ok += st.ok
		total.merge(&st.hist)
		for i := range legs {
			legs[i].merge(&st.legs[i])
		}
		for k, v := range st.errs {
			errs[k] += v
			nerr += v
		}
		if st.ends.After(end) {
			end = st.ends
		}
	}
	secs := end.Sub(start).Seconds()
	rate := func(n int64) float64 {
		if secs <= 0 {
			return 0
		}
		return float64(n) / secs
	}
	r := &ScenarioResult{Name: name, Requests: ok + nerr, Successes: ok, Errors: nerr, ErrorsByKind: errs,
		Seconds: secs, RPS: rate(ok + nerr), Latency: latencyOf(&total), Interrupted: interrupted}
	for i, n := range legNames {
		r.Legs = append(r.Legs, LegResult{Name: n, Count: int64(legs[i].n), RPS: rate(int64(legs[i].n)),
			Latency: latencyOf(&legs[i])})
	}
	return r
}

func (o *Options) progress(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "loadtest: "+format+"\n", args...)
	}
}

// waitPhase waits for a phase of d, or until the workers are done (their request bound reached); it reports
// whether ctx ended it first (SIGINT).
func waitPhase(ctx context.Context, d time.Duration, done <-chan struct{}) (interrupted bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-done:
	case <-ctx.Done():
		return true
	}
	return false
}
