package loadtest

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Report is a run: its bounds and one result per scenario, in the order they ran.
type Report struct {
	Target      string           `json:"target"`
	Workers     int              `json:"workers"`
	Duration    string           `json:"duration"`
	Warmup      string           `json:"warmup"`
	Requests    int64            `json:"requests_bound,omitempty"`
	Interrupted bool             `json:"interrupted,omitempty"`
	Scenarios   []ScenarioResult `json:"scenarios"`
}

// ScenarioResult is one scenario's measured phase. Requests = Successes + Errors; an iteration of a flow (the
// code round trip, a device authorization through to its redemption) is one request. Latency is that of the
// successes; Legs time the parts of a flow that succeeded.
type ScenarioResult struct {
	Name         string           `json:"name"`
	Requests     int64            `json:"requests"`
	Successes    int64            `json:"successes"`
	Errors       int64            `json:"errors"`
	ErrorsByKind map[string]int64 `json:"errors_by_kind"`
	Seconds      float64          `json:"seconds"`
	RPS          float64          `json:"rps"`
	Latency      Latency          `json:"latency_ms"`
	Legs         []LegResult      `json:"legs,omitempty"`
	Interrupted  bool             `json:"interrupted,omitempty"`
}

// LegResult is one part of a flow: how many completed, at what rate, and how long each took.
type LegResult struct {
	Name    string  `json:"name"`
	Count   int64   `json:"count"`
	RPS     float64 `json:"rps"`
	Latency Latency `json:"latency_ms"`
}

// Latency are quantiles in milliseconds.
type Latency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func latencyOf(h *histogram) Latency {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return Latency{P50: ms(h.quantile(0.50)), P90: ms(h.quantile(0.90)), P99: ms(h.quantile(0.99)), Max: ms(h.max)}
}

// WriteText writes the report as a table: a row per scenario and an indented row per leg, its errors by kind
// under it, and, when the ceiling ran, each scenario's rate as a share of it.
func (r *Report) WriteText(w io.Writer) error {
	bound := "duration " + r.Duration
	if r.Requests > 0 {
		bound += fmt.Sprintf(" or %d requests", r.Requests)
	}
	if _, err := fmt.Fprintf(w, "target %s, %d workers, %s per scenario, warmup %s\n\n", r.Target, r.Workers, bound,
		r.Warmup); err != nil {
		return err
	}
	var ceiling float64
	for _, s := range r.Scenarios {
		if s.Name == ScenarioCeiling {
			ceiling = s.RPS
		}
	}
	head := []string{"scenario", "requests", "errors", "req/s", "p50", "p90", "p99", "max"}
	if ceiling > 0 {
		head = append(head, "of ceiling")
	}
	rows := [][]string{head}
	for _, s := range r.Scenarios {
		row := []string{s.Name, fmt.Sprint(s.Requests), fmt.Sprint(s.Errors), fmt.Sprintf("%.1f", s.RPS),
			ms(s.Latency.P50), ms(s.Latency.P90), ms(s.Latency.P99), ms(s.Latency.Max)}
		if ceiling > 0 {
			row = append(row, fmt.Sprintf("%.1f%%", 100*s.RPS/ceiling))
		}
		rows = append(rows, row)
		for _, l := range s.Legs {
			rows = append(rows, []string{"  " + l.Name, fmt.Sprint(l.Count), "", fmt.Sprintf("%.1f", l.RPS),
				ms(l.Latency.P50), ms(l.Latency.P90), ms(l.Latency.P99), ms(l.Latency.Max)})
		}
	}
	if err := writeTable(w, rows); err != nil {
		return err
	}
	for _, s := range r.Scenarios {
		if s.Errors == 0 {
			continue
		}
		kinds := slices.Sorted(maps.Keys(s.ErrorsByKind))
		var parts []string
		for _, k := range kinds {
			parts = append(parts, fmt.Sprintf("%s: %d", k, s.ErrorsByKind[k]))
		}
		if _, err := fmt.Fprintf(w, "%s errors: %s\n", s.Name, strings.Join(parts, ", ")); err != nil {
			return err
		}
	}
	if r.Interrupted {
		_, err := fmt.Fprintln(w, "interrupted: the last scenario covers what was measured until then")
		return err
	}
	return nil
}

// ms formats milliseconds: µs below 1 ms, s from 10 s.
func ms(v float64) string {
	switch {
	case v == 0:
		return "-"
	case v < 1:
		return fmt.Sprintf("%.0fµs", v*1000)
	case v < 10_000:
		return fmt.Sprintf("%.2fms", v)
	}
	return fmt.Sprintf("%.1fs", v/1000)
}

// writeTable writes rows as columns: the first left-aligned, the others right-aligned, two spaces apart.
func writeTable(w io.Writer, rows [][]string) error {
	var width []int
	for _, row := range rows {
		for i, cell := range row {
			if i == len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		for i, cell := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			switch {
			case i == 0:
				b.WriteString(cell + pad)
			default:
				b.WriteString("  " + pad + cell)
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
