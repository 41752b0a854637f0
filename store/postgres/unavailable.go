package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/assentry/assentry/store"
)

// wrap maps database errors onto the store's: a unique violation is ErrConflict; a failure to reach or keep the
// database is ErrUnavailable (see lost), which the HTTP layer answers with 503 and Retry-After. Any other error
// is returned as it is. Errors it mapped before are returned unchanged, so it may run at several levels.
func wrap(err error) error {
	var pe *pgconn.PgError
	switch {
	case err == nil, errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrUnavailable):
		return err
	case errors.As(err, &pe) && pe.Code == "23505":
		return fmt.Errorf("postgres: %s: %w", pe.ConstraintName, store.ErrConflict)
	}
	if why := lost(err); why != "" {
		return &unavailableError{why: why, cause: err}
	}
	if _, bare := err.(*pgconn.PgError); bare {
		return fmt.Errorf("postgres: %w", err)
	}
	return err
}

// lost says why err means the database could not be reached or kept, in a few words; "" when it does not. Only
// the server's own word or the connection's failure counts: a constraint or a bug in a statement stays an error
// of its own (500), so that an outage is never confused with a defect.
func lost(err error) string {
	var pe *pgconn.PgError
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce):
		return "cannot connect to the database"
	case errors.As(err, &pe):
		return serverRefusal(pe.Code)
	case errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return "the database did not answer in time"
	case errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed), errors.As(err, &ne):
		return "the connection to the database was lost (a commit's outcome, if one was under way, is unknown)"
	case pgconn.SafeToRetry(err):
		return "the connection to the database could not be used"
	}
	return ""
}

// serverRefusal says why a server error (its SQLSTATE, PostgreSQL appendix A) means the database cannot serve
// now: a connection exception (class 08), insufficient resources (class 53: too many connections, disk full, out
// of memory), an operator intervention (57014 statement timeout or cancel, 57P01–57P03 shutdown or not yet
// accepting connections), or a serialization failure or deadlock that persisted through every retry. "" for the
// rest.
func serverRefusal(code string) string {
	switch {
	case strings.HasPrefix(code, "08"):
		return "the connection to the database failed"
	case code == "53300":
		return "the database has too many connections"
	case strings.HasPrefix(code, "53"):
		return "the database lacks resources"
	case code == "57014":
		return "the database cancelled the statement (statement_timeout)"
	case code == "57P01", code == "57P02", code == "57P03":
		return "the database is shutting down or starting"
	case code == "40001", code == "40P01":
		return "the transaction kept conflicting with others"
	}
	return ""
}

// unavailableError is a failure to reach or keep the database. It wraps store.ErrUnavailable and the driver's
// error, whose text follows; a failed connection attempt is quoted without pgx's prefix, which names the database
// user and database, since the message may be shown by /readyz.
type unavailableError struct {
	why   string
	cause error
}

func (e *unavailableError) Error() string {
	cause := e.cause
	var ce *pgconn.ConnectError
	if errors.As(cause, &ce) && ce.Unwrap() != nil {
		cause = ce.Unwrap()
	}
	return fmt.Sprintf("postgres: %s: %v: %v", e.why, store.ErrUnavailable, cause)
}

func (e *unavailableError) Unwrap() []error { return []error{store.ErrUnavailable, e.cause} }
