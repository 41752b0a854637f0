package themes

import (
	"io"
	"io/fs"
	"sync/atomic"
)

// Live is a host's current theme, swapped as a whole when its directory changes (themes/watch), without a
// configuration reload. A Theme is immutable, so a request that took one with Load renders and serves from that
// version to its end, whatever is swapped in meanwhile. The methods of Theme are mirrored here, each on the
// current version, so the HTTP layer calls h.Theme.Render as before.
type Live struct {
	cur atomic.Pointer[Theme]
}

// NewLive holds t until the first Store.
func NewLive(t *Theme) *Live {
	l := &Live{}
	l.cur.Store(t)
	return l
}

// Load returns the current theme: take it once per request to use one version throughout.
func (l *Live) Load() *Theme { return l.cur.Load() }

// Store swaps in a new version, for the requests that start from now on.
func (l *Live) Store(t *Theme) { l.cur.Store(t) }

// Render renders a page of the current theme (Theme.Render).
func (l *Live) Render(w io.Writer, name string, p *Page) error { return l.Load().Render(w, name, p) }

// Has reports whether the current theme has the page (Theme.Has).
func (l *Live) Has(name string) bool { return l.Load().Has(name) }

// Names lists the current theme's pages (Theme.Names).
func (l *Live) Names() []string { return l.Load().Names() }

// Static returns the current theme's static files (Theme.Static).
func (l *Live) Static() fs.FS { return l.Load().Static() }

// Locales lists the current theme's languages (Theme.Locales).
func (l *Live) Locales() []string { return l.Load().Locales() }

// Locale picks the language of a page from the current theme's (Theme.Locale).
func (l *Live) Locale(uiLocales, userLocale, acceptLanguage string) string {
	return l.Load().Locale(uiLocales, userLocale, acceptLanguage)
}
