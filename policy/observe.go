package policy

import (
	"errors"
	"time"
)

// Observer is told of every plugin call a Chain makes, for metrics. The policy package imports nothing of the
// core, so the metrics side implements this small interface and core/assembly hands it in through Options. It
// runs on the request path: it must be fast, must not block and must be safe for concurrent use.
type Observer interface {
	// PolicyCall reports one call of plugin at hook on host: its outcome (see Outcome) and how long it took,
	// encoding the input and decoding the answer included.
	PolicyCall(host, plugin, hook, outcome string, took time.Duration)
}

// Outcomes of a plugin call as an Observer sees them: the decision of a hook that has one (consent:
// approve, deny, ask; validate_registration: accept, reject), OutcomeOK for the hooks whose answer is data
// (map_roles, scope_policy, claims), OutcomeTimeout for a call past its deadline, OutcomeDeclaredError for an
// error the plugin returned itself, and a Failure's Kind for every other failure (trap, out_of_memory,
// invalid_output, input_too_large, error). The set is fixed by the ABI (docs/policy-abi.md, "Outcomes"), so
// the values make bounded labels.
const (
	OutcomeOK            = "ok"
	OutcomeTimeout       = "timeout"
	OutcomeDeclaredError = "declared_error"
)

// outcome names the result of one call for an Observer.
func outcome(dec any, err error) string {
	if err != nil {
		var f *Failure
		if errors.As(err, &f) {
			if f.Kind == FailDeadline {
				return OutcomeTimeout
			}
			return f.Kind
		}
		var pe *PluginError
		if errors.As(err, &pe) {
			return OutcomeDeclaredError
		}
		return FailError
	}
	switch d := dec.(type) {
	case *ConsentOutput:
		return d.Decision
	case *ValidateRegistrationOutput:
		return d.Decision
	}
	return OutcomeOK
}

// millis is d in milliseconds with microsecond precision: the unit of every duration the server logs
// (duration_ms), so that a policy line and a request line read alike.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
