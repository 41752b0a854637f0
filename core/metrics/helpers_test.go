package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/metrics"
)

// scrape fetches the metrics over HTTP from m's Handler, as Prometheus would.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %d %v\n%s", res.StatusCode, err, body)
	}
	return string(body)
}

// sample returns the value of the series name{labels} in a scrape, and whether it is there. Labels are given as
// "k=v" pairs in any order.
func sample(body, name string, labels ...string) (float64, bool) {
	sort.Strings(labels)
	var b strings.Builder
	b.WriteString(name)
	if len(labels) > 0 {
		b.WriteString("{")
		for i, l := range labels {
			k, v, _ := strings.Cut(l, "=")
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(k + "=" + strconv.Quote(v))
		}
		b.WriteString("}")
	}
	prefix := b.String() + " "
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// want fails unless the series has the value.
func want(t *testing.T, body string, value float64, name string, labels ...string) {
	t.Helper()
	got, ok := sample(body, name, labels...)
	if !ok {
		t.Errorf("no series %s%v in:\n%s", name, labels, grepMetric(body, name))
		return
	}
	if got != value {
		t.Errorf("%s%v = %v, want %v", name, labels, got, value)
	}
}

// grepMetric is the lines of a scrape about one metric, for failure messages.
func grepMetric(body, name string) string {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `.*$`)
	return strings.Join(re.FindAllString(body, -1), "\n")
}
