package loadtest

import "fmt"

// SetupError is a scenario that could not start: bad credentials, a user who cannot sign in, a form that is not
// there. Step names what was being done, so the message says where to look. Nothing was measured.
type SetupError struct {
	Scenario string
	Step     string
	Err      error
}

func (e *SetupError) Error() string {
	return fmt.Sprintf("%s: setup failed at %s: %v", e.Scenario, e.Step, e.Err)
}

func (e *SetupError) Unwrap() error { return e.Err }

// stepError is a failure of one named step of a setup (a request, a form); the runner makes it a SetupError.
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

func stepErr(step string, format string, args ...any) error {
	return &stepError{step: step, err: fmt.Errorf(format, args...)}
}

// atStep names the step of an error that has none yet.
func atStep(step string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*stepError); ok {
		return err
	}
	return &stepError{step: step, err: err}
}
