package cimd

import "fmt"

// Error is why a client_id URL or its document was refused. Its message is written for the client (it becomes
// an error_description): it says what is wrong without quoting the URL or what the server answered. The cause,
// when there is one, is for the log (Unwrap).
type Error struct {
	Msg   string
	cause error
}

func (e *Error) Error() string { return e.Msg }

// Reason is the message for the client: the fetch was refused, and this is why (core/registration tells a
// refusal from the server's own failure by this method).
func (e *Error) Reason() string { return e.Msg }

// Unwrap returns the cause, for the log; it is never shown to the client.
func (e *Error) Unwrap() error { return e.cause }

func errorf(format string, args ...any) *Error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// withCause returns e with an internal cause attached.
func (e *Error) withCause(err error) *Error { e.cause = err; return e }
