package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics count the requests of every host.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) httpMetrics {
	h := httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "http",
			Name: "requests_total", Help: "Answered requests by host id, route pattern and exact status code."},
			[]string{"host", "endpoint", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "http",
			Name: "request_duration_seconds", Help: "Time to answer a request, by host id and route pattern.",
			Buckets: requestBuckets}, []string{"host", "endpoint"}),
	}
	reg.MustRegister(h.requests, h.duration)
	return h
}

// ObserveRequest implements httpapi.Observer. The HTTP layer already bounds host and endpoint (configured ids
// or "unknown", route patterns or "other"); the host is checked again here all the same.
func (m *Metrics) ObserveRequest(host, endpoint string, status int, took time.Duration) {
	host = m.host(host)
	m.http.requests.WithLabelValues(host, endpoint, statusText(status)).Inc()
	m.http.duration.WithLabelValues(host, endpoint).Observe(took.Seconds())
}

// statusTexts are the status labels, made once: strconv.Itoa allocates for numbers of three digits.
var statusTexts = func() [600]string {
	var s [600]string
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

func statusText(code int) string {
	if code >= 0 && code < len(statusTexts) {
		return statusTexts[code]
	}
	return strconv.Itoa(code)
}
