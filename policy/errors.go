package policy

import "errors"

// FailClosedError is returned by a Chain hook when a plugin failed (outcome 3) or declared an error (outcome 2)
// and its on_error for that hook is fail_closed. The core answers server_error and logs it; the chain has logged
// the failure already, with plugin, hook, kind and duration.
type FailClosedError struct {
	Plugin string
	Hook   string
	Err    error // a *Failure or a *PluginError
}

func (e *FailClosedError) Error() string {
	return "policy " + e.Plugin + " failed closed at " + e.Hook + ": " + e.Err.Error()
}

func (e *FailClosedError) Unwrap() error { return e.Err }

// IsFailClosed reports whether err is (or wraps) a *FailClosedError.
func IsFailClosed(err error) bool {
	var fc *FailClosedError
	return errors.As(err, &fc)
}

// failureKind names an error for the log: a Failure's kind or "declared_error" for a plugin-declared error.
func failureKind(err error) string {
	var f *Failure
	if errors.As(err, &f) {
		return f.Kind
	}
	var pe *PluginError
	if errors.As(err, &pe) {
		return "declared_error"
	}
	return "error"
}
