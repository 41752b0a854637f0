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
//
// The page is rendered in p.Locale when the theme has that locale, else in the closest one (Locale); the template
// sees the locale it is rendered in as .Locale, and the server's messages (.Error, the built-in scopes' texts)
// filled from its catalog. p itself is not modified.
func (t *Theme) Render(w io.Writer, name string, p *Page) error {
	locales, ok := t.pages[name]
	if !ok {
		return fmt.Errorf("themes: no page template %q", name)
	}
	if p == nil {
		return errors.New("themes: render " + name + ": nil page")
	}
	locale := p.Locale
	if _, ok := locales[locale]; !ok {
		locale = t.Locale(p.Locale, "", "")
	}
	var buf bytes.Buffer
	if err := t.execute(&buf, locales[locale], name, locale, p); err != nil {
		return fmt.Errorf("themes: render %s: %w", name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// execute renders tpl (page name's copy for locale) with p translated into locale.
func (t *Theme) execute(w io.Writer, tpl *template.Template, name, locale string, p *Page) error {
	q, err := t.translate(name, locale, p)
	if err != nil {
		return err
	}
	return tpl.Execute(w, q)
}

// funcs are the template functions every theme may use. Kept small: formatting decisions belong in templates,
// and every function here is part of the theme contract (README.md). t and tn are bound to a locale per page
// copy (messageFuncs); these stand-ins only let a page parse. static is bound to the theme's own static files (nil
// while only checking syntax).
func funcs(static *staticFS) template.FuncMap {
	unbound := func(string, ...any) (string, error) { return "", errors.New("no locale") }
	return template.FuncMap{
		"hostOf":     hostOf,
		"minutes":    minutes,
		"clientName": clientName,
		"static":     static.url,
		"t":          unbound,
		"tn":         func(string, int, ...any) (string, error) { return "", errors.New("no locale") },
	}
}

// messageFuncs are t and tn for one locale:
//
//	{{t "login.title"}}                          the message in the page's locale (else English)
//	{{t "login.continue_to" "client" .Name}}     with {client} replaced
//	{{tn "retry.seconds" .RetryAfter}}           "retry.seconds.one" when the number is 1, else ".other"; {n} is it
//
// A key that no catalog has is an error, so a misspelt key fails the theme's load check.
func (t *Theme) messageFuncs(locale string) template.FuncMap {
	tr := func(key string, args ...any) (string, error) {
		text, ok := t.message(locale, key)
		if !ok {
			return "", fmt.Errorf("message %q is in no catalog", key)
		}
		return format(text, args)
	}
	return template.FuncMap{
		"t": tr,
		"tn": func(key string, n int, args ...any) (string, error) {
			form := ".other"
			if n == 1 {
				form = ".one"
			}
			return tr(key+form, append([]any{"n", n}, args...)...)
		},
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

// clientName is the client's name as shown to the user: its name, else its home page's host, else its id ("" for
// nil). For messages that take the name as an argument: {{t "consent.title" "client" (clientName .Client)}}.
func clientName(c *Client) string {
	switch {
	case c == nil:
		return ""
	case c.Name != "":
		return c.Name
	case c.URI != "":
		return hostOf(c.URI)
	}
	return c.ID
}
