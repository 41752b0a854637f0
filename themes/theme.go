package themes

import (
	"html/template"
	"io/fs"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Page template names: the server renders a page by one of these names. A theme file <name>.html provides it.
const (
	PageLogin      = "login"       // the sign-in form
	PageSignedIn   = "signed_in"   // /login opened with a session already signed in
	PageLogout     = "logout"      // sign-out confirmation, and the "signed out" state
	PageError      = "error"       // errors shown instead of redirected, and 429 pages
	PageConsent    = "consent"     // the consent form
	PageOOB        = "oob"         // an authorization code to copy (urn:ietf:wg:oauth:2.0:oob)
	PageDevice     = "device"      // the user code entry of the device flow (RFC 8628 §3.3)
	PageDeviceDone = "device_done" // the device flow's end: approved or denied
	PageAccount    = "account"     // the signed-in user's applications, sessions and password (/account)
)

// File names with a fixed role in a theme directory.
const (
	layoutFile    = "layout.html" // the shared frame every page calls
	partialPrefix = "_"           // _name.html files are partials, parsed into every page
	templateExt   = ".html"
	staticDir     = "static"
)

// Required returns the page templates a loaded theme must have. The embedded default provides them all, so for an
// overlay this only matters if the default ever loses one; it also says which pages the server may render without
// checking Has first. The list is built per call: there is no package-level mutable state to edit.
func Required() []string {
	return []string{PageLogin, PageSignedIn, PageLogout, PageError, PageConsent, PageOOB, PageDevice, PageDeviceDone,
		PageAccount}
}

// Theme is a loaded, checked theme: one parsed template set per page (the page with layout.html and every partial)
// and the merged static files. It is immutable after Load and safe for concurrent use.
type Theme struct {
	pages    map[string]map[string]*template.Template // page name → locale → its set, executed by its root template
	catalogs map[string]catalog                       // locale → merged messages; English always present
	matcher  language.Matcher                         // over Locales(), English first
	static   *staticFS
}

// Has reports whether the theme has a page template by that name (a default page or an extra one of the overlay,
// such as a per-client consent page).
func (t *Theme) Has(name string) bool {
	_, ok := t.pages[name]
	return ok
}

// Names returns the page template names, sorted; partials and layout.html are not pages.
func (t *Theme) Names() []string {
	names := make([]string, 0, len(t.pages))
	for name := range t.pages {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Static returns the merged static files (the default's static/ overlaid by the theme's), rooted at the static
// directory: "style.css", not "static/style.css". The HTTP layer serves it under /static/; ContentType gives the
// media type to send for each name.
func (t *Theme) Static() fs.FS { return t.static }

// validName reports whether a page name is usable as a template name picked from config: letters, digits, '-',
// '_' and '.', not starting with '_' (partials) or '.'.
func validName(name string) bool {
	if name == "" || strings.HasPrefix(name, partialPrefix) || strings.HasPrefix(name, ".") {
		return false
	}
	for _, r := range name {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}
