package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/assentry/assentry/core/admin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "assentry:", err)
		os.Exit(exitCode(err))
	}
}

// Exit statuses: 1 for a failure, 2 for bad usage or input, 3 when the thing named does not exist, 4 when it
// already exists.
func exitCode(err error) int {
	var ae *admin.Error
	if errors.As(err, &ae) {
		switch ae.Kind {
		case admin.KindInvalid:
			return 2
		case admin.KindNotFound:
			return 3
		case admin.KindConflict:
			return 4
		}
	}
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
