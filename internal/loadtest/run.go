package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
)

// Check validates the options and the target without sending anything: what `assentry loadtest` reports as a
// usage error. Run checks the same.
func Check(ctx context.Context, o Options) error {
	o = o.withDefaults()
	o.Scenarios = splitScenarios(o.Scenarios)
	if err := o.validate(); err != nil {
		return err
	}
	if slices.ContainsFunc(o.Scenarios, func(s string) bool { return s != ScenarioCeiling }) {
		if _, err := CheckTarget(ctx, o.Target); err != nil {
			return err
		}
	}
	return nil
}

// Run runs the scenarios one after another and reports each. A setup failure stops the run with a *SetupError
// (the report holds the scenarios that ran before). When ctx ends (SIGINT) the scenario running is cut short
// and reported, marked interrupted, and the run stops without an error.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := Check(ctx, o); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	o.Scenarios = splitScenarios(o.Scenarios)
	// The ceiling alone needs no target; with the other scenarios the target was checked above.
	base, err := CheckTarget(ctx, o.Target)
	if err != nil && slices.ContainsFunc(o.Scenarios, func(s string) bool { return s != ScenarioCeiling }) {
		return nil, err
	}
	tr := newTransport(o.Workers, o.Timeout)
	defer tr.CloseIdleConnections()
	rep := &Report{Target: o.Target, Workers: o.Workers, Duration: o.Duration.String(), Warmup: o.Warmup.String(),
		Requests: o.Requests}
	var c *conn
	if base != nil {
		c = newConn(base, tr)
		if slices.ContainsFunc(o.Scenarios, func(s string) bool { return s != ScenarioCeiling }) {
			if err := c.discover(ctx); err != nil {
				return nil, &SetupError{Scenario: o.Scenarios[0], Step: "reaching the target " + o.Target, Err: err}
			}
		}
	}
	for _, name := range o.Scenarios {
		sc := newScenario(name, &o, c, tr)
		res, err := runScenario(ctx, &o, name, sc)
		if err != nil {
			if ctx.Err() != nil {
				rep.Interrupted = true
				return rep, nil
			}
			return rep, err
		}
		rep.Scenarios = append(rep.Scenarios, *res)
		if res.Interrupted {
			rep.Interrupted = true
			return rep, nil
		}
	}
	return rep, nil
}

func newScenario(name string, o *Options, c *conn, tr *http.Transport) scenario {
	switch name {
	case ScenarioClientCredentials:
		return &clientCredentials{o: o, c: c}
	case ScenarioIntrospect:
		return &introspect{o: o, c: c}
	case ScenarioRefresh:
		return &refresh{o: o, c: c}
	case ScenarioUserinfo:
		return &userinfo{o: o, c: c}
	case ScenarioCode:
		return &codeFlow{o: o, c: c}
	case ScenarioDevice:
		return &device{o: o, c: c}
	}
	return &ceiling{o: o, tr: tr}
}

// ReadTokenFile reads refresh tokens, one a line (blank lines and lines starting with # skipped).
func ReadTokenFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no refresh token in it", path)
	}
	return out, nil
}
