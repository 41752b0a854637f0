package themes

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/url"
)

// Render executes the named page with p and writes it to w. The page is rendered into a buffer first, so a
// template error never sends half a page: the caller gets the error and can still answer with a 500.
func (t *Theme) Render(w io.Writer, name string, p *Page) error {
	tpl, ok := t.pages[name]
	if !ok {
		return fmt.Errorf("themes: no page template %q", name)
	}
	if p == nil {
		return errors.New("themes: render " + name + ": nil page")
	}
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, p); err != nil {
		return fmt.Errorf("themes: render %s: %w", name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// funcs are the template functions every theme may use. Kept small: formatting decisions belong in templates,
// and every function here is part of the theme contract (README.md). static is bound to the theme's own static
// files (nil while only checking syntax).
func funcs(static *staticFS) template.FuncMap {
	return template.FuncMap{
		"hostOf":  hostOf,
		"minutes": minutes,
		"static":  static.url,
	}
}

// hostOf returns the host (with port, if any) of an absolute URL, for "Return to app.example.com" links: the user
// sees where a link goes, not a name the client chose. A string that is not an absolute URL is returned unchanged.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host
}

// minutes converts seconds to whole minutes, rounding up, for "try again in 3 minutes" on 429 pages.
func minutes(seconds int) int {
	if seconds <= 0 {
		return 0
	}
	return (seconds + 59) / 60
}
