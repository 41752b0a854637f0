package loadtest

import (
	"math"
	"math/bits"
	"time"
)

// histogram counts latencies in fixed log-linear buckets: exact to the nanosecond below 128 ns, then 128 buckets
// per power of two, so any value is known to within 1/128 (< 0.8 %). Its size is fixed (about 35 KB), recording
// is an index and an increment, and two histograms merge by adding their counts. Values from about 18 minutes up
// share the last bucket; max keeps the exact largest.
type histogram struct {
	counts [histBuckets]uint64
	n      uint64
	max    time.Duration
}

const (
	subBits     = 7
	subCount    = 1 << subBits
	maxBits     = 40 // 2^40 ns ≈ 18 minutes
	histBuckets = (maxBits-subBits)*subCount + subCount
)

// bucketOf maps a value to its bucket: values below subCount are their own bucket; a larger v with its highest
// bit at position b (v>>shift in [subCount, 2*subCount)) is bucket (shift+1)*subCount + (v>>shift) - subCount.
func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	if v >= 1<<maxBits {
		return histBuckets - 1
	}
	shift := bits.Len64(v) - subBits - 1
	return (shift+1)*subCount + int(v>>shift) - subCount
}

// bucketRange is the smallest and largest value of bucket i.
func bucketRange(i int) (lo, hi uint64) {
	if i < subCount {
		return uint64(i), uint64(i)
	}
	shift := i/subCount - 1
	m := uint64(i%subCount + subCount)
	return m << shift, (m+1)<<shift - 1
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	h.n++
	if d > h.max {
		h.max = d
	}
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the value at quantile q (0 < q <= 1): the middle of the bucket holding the ceil(q*n)-th
// smallest value, never more than the exact maximum. 0 for an empty histogram.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketRange(i)
			return min(time.Duration(lo+(hi-lo)/2), h.max)
		}
	}
	return h.max
}
