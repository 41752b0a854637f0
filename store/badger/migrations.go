package badger

import (
	"context"

	"github.com/assentry/assentry/store"
)

// Migration brings the data from format From to format To (always From+1). Run must be safe to repeat: a
// crash after it and before the new version is recorded runs it again. It may use the store's own
// transactions (s.update, s.bulk); nothing else writes while it runs.
type Migration struct {
	From, To int
	Describe string // one line, for the operator: what changes in the data
	Run      func(ctx context.Context, s *Store) error
}

// step is the migration as the operator sees it.
func (m Migration) step() store.Step {
	return store.Step{From: m.From, To: m.To, Description: m.Describe}
}

// migrations is the ordered list, one per format version: migrations[i] goes from i to i+1, and the last one
// ends at CurrentFormat (TestMigrationsChain checks both).
var migrations = []Migration{
	{
		From: 0, To: 1,
		Describe: "record the store format (data written before releases versioned it); no record changes",
		// The data of format 0 is format 1 without the stamp, which Migrate writes after Run.
		Run: func(context.Context, *Store) error { return nil },
	},
}

// migrationFrom is the index of the migration starting at v, or -1 when none does (v is current).
func migrationFrom(v int) int {
	for i, m := range migrations {
		if m.From == v {
			return i
		}
	}
	return -1
}

// Steps lists every migration this build knows, in order, for tests and documentation.
func Steps() []store.Step {
	out := make([]store.Step, len(migrations))
	for i, m := range migrations {
		out[i] = m.step()
	}
	return out
}
