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
	case errors.Is(err, context.Canceled):
		return "" // the request's caller went away: not the database's failure, nor a reason to report one
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
// accepting connections, 57P04–57P05 and 25P03 a session ended), a read-only server (25006: a standby after a
// failover), a system error (class 58), a lock timeout (55P03), a statement whose completion is unknown (40003,
// CockroachDB), or a serialization failure or deadlock that persisted through every retry. "" for the rest.
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
	case code == "57P04", code == "57P05", code == "25P03":
		return "the database ended the session"
	case code == "25006":
		return "the database is read-only (a standby, or a failover under way)"
	case strings.HasPrefix(code, "58"):
		return "the database had a system or I/O error"
	case code == "55P03":
		return "the database could not take a lock in time (lock_timeout)"
	case code == "40003":
		return "the database does not know whether the statement completed"
	case code == "40001", code == "40P01":
		return "the transaction kept conflicting with others"
	}
	return ""
}

// unavailableError is a failure to reach or keep the database. It wraps store.ErrUnavailable and the driver's
// error, whose text follows, except that a failed connection attempt is told by its innermost cause only
// ("connection refused", "i/o timeout", or the server's SQLSTATE): pgx's text names the database's user, database
// and address, and the message is shown by /readyz to whoever asks.
type unavailableError struct {
	why   string
	cause error
}

func (e *unavailableError) Error() string {
	return fmt.Sprintf("postgres: %s: %v: %s", e.why, store.ErrUnavailable, quote(e.cause))
}

func (e *unavailableError) Unwrap() []error { return []error{store.ErrUnavailable, e.cause} }

// quote is err's text for unavailableError.
func quote(err error) string {
	var ce *pgconn.ConnectError
	switch {
	case !errors.As(err, &ce):
		return err.Error()
	case ce.Unwrap() == nil:
		return "no cause given"
	}
	var pe *pgconn.PgError
	if errors.As(ce, &pe) {
		return "the server refused the connection (SQLSTATE " + pe.Code + ")"
	}
	return innermost(ce).Error()
}

// innermost follows err's wrapped errors to the last (of several joined ones, pgx's attempts at each address of
// the DSN, the last attempt's).
func innermost(err error) error {
	for {
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				err = next
				continue
			}
		case interface{ Unwrap() []error }:
			if all := u.Unwrap(); len(all) > 0 {
				err = all[len(all)-1]
				continue
			}
		}
		return err
	}
}
