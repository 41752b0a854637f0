package preview

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"

	"github.com/assentry/assentry/themes"
	"github.com/assentry/assentry/themes/watch"
)

// Preview serves one theme directory's pages with sample data.
type Preview struct {
	dir  string
	live *themes.Live

	mu      sync.Mutex
	version int   // counts the loads of the directory; the browser script reloads when it changes
	loadErr error // the last load's error: the preview then shows the previous version, and the error on the index
}

// New loads dir ("" for the embedded default theme alone). A theme that does not load is not an error here: the
// preview starts on the embedded default and shows the errors on its index until the files are fixed.
func New(dir string) *Preview {
	p := &Preview{dir: dir}
	t, err := themes.Load(dir)
	if err != nil {
		p.loadErr = err
		if t, err = themes.Load(""); err != nil {
			panic(err) // the embedded default theme is checked by its tests
		}
	}
	p.live = themes.NewLive(t)
	return p
}

// Watch reloads the theme when its directory changes, until ctx ends (done is closed then).
func (p *Preview) Watch(ctx context.Context, log *slog.Logger) (done <-chan struct{}, err error) {
	if p.dir == "" {
		return nil, errors.New("preview: the embedded default theme has no directory to watch")
	}
	return watch.Start(ctx, p.dir, p.live, watch.Options{Log: log, Reloaded: p.reloaded})
}

// reloaded records a load of the directory: the browser reloads on the new version number.
func (p *Preview) reloaded(_ *themes.Theme, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.version++
	p.loadErr = err
}

// state returns the current version number and the last load's error.
func (p *Preview) state() (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strconv.Itoa(p.version), p.loadErr
}

// Entry is one link of the index: a page in one state.
type Entry struct {
	Page, State, Label string
	Extra              bool // an extra page of the theme, shown in the states of the page it stands in for
}

// Entries lists every page of the current theme in every state, the pages in name order. A page the server does
// not know (an extra page such as consent-acme) is shown in the states of the page its name begins with, or with
// every field set.
func Entries(t *themes.Theme) []Entry {
	var out []Entry
	for _, name := range t.Names() {
		states, extra := statesOf(name)
		for _, s := range states {
			out = append(out, Entry{Page: name, State: s.Name, Label: s.Label, Extra: extra})
		}
	}
	return out
}

// statesOf returns the sample states a page is previewed in, and whether it is an extra page.
func statesOf(name string) ([]themes.State, bool) {
	for _, r := range themes.Required() {
		if r == name {
			return themes.States(name), false
		}
	}
	if base := themes.BaseOf(name); base != "" {
		return themes.States(base), true
	}
	return themes.States(name), true
}
