package store

import (
	"context"
	"fmt"
)

// Store format versions. A backend stamps the format of its data when it first creates it, and an upgrade that
// changes what is stored brings migrations from each older format to the next. The rules, the same for every
// backend:
//
//   - An empty store is stamped with the backend's current format when it is first opened.
//   - Data from a build older than versioning (data present, no stamp) is format 0.
//   - A store whose format is newer than the binary knows is refused at open with a *FormatError: the binary
//     cannot know what the newer data means, and writing to it could damage it.
//   - A store whose format is older opens, but must not serve until Migrate has brought it to the current
//     format: the composition root asks Pending and refuses to start (or migrates, when the operator allows it).

// Step is one migration of a store's data from one format version to the next, as the operator sees it.
type Step struct {
	From, To    int
	Description string
}

// String is the step as the migrate command prints it.
func (s Step) String() string { return fmt.Sprintf("%d → %d: %s", s.From, s.To, s.Description) }

// Migrator is the optional interface of a backend whose data format is versioned (every backend Assentry
// ships). The composition root checks for it with a type assertion.
type Migrator interface {
	// FormatVersion is the format of the data as stored now.
	FormatVersion(ctx context.Context) (int, error)
	// CurrentFormat is the format this build writes: the version Migrate brings the data to.
	CurrentFormat() int
	// Pending lists the migrations from FormatVersion to CurrentFormat, in order; none when up to date.
	Pending(ctx context.Context) ([]Step, error)
	// Migrate runs the pending migrations in order, recording each new version as soon as its step is done,
	// and returns the steps it ran. A step interrupted by a crash runs again on the next call, so every step
	// must be safe to repeat.
	Migrate(ctx context.Context) ([]Step, error)
}

// FormatError refuses a store whose data format is newer than this binary knows.
type FormatError struct {
	Where   string // the data directory, database name or backup file
	Found   int    // the format of the data
	Current int    // the newest format this binary knows
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%s holds store format %d, but this assentry knows formats up to %d: it was written by a "+
		"newer release. Run that release (or a later one) on it, or restore a backup taken before the upgrade",
		e.Where, e.Found, e.Current)
}

// CheckSteps verifies that steps form one chain from format 0 to current (each step's From is the previous
// step's To, each step goes up by one), so a backend's migration list cannot skip or repeat a version.
// Backends call it in their tests.
func CheckSteps(steps []Step, current int) error {
	next := 0
	for i, s := range steps {
		if s.From != next || s.To != s.From+1 {
			return fmt.Errorf("migration %d goes %d → %d; expected %d → %d", i, s.From, s.To, next, next+1)
		}
		if s.Description == "" {
			return fmt.Errorf("migration %d (%d → %d) has no description", i, s.From, s.To)
		}
		next = s.To
	}
	if next != current {
		return fmt.Errorf("migrations end at format %d, but the current format is %d", next, current)
	}
	return nil
}
