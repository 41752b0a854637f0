package themes

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
)

// defaultTheme is the embedded default theme; Load overlays a theme directory on top of it. The all: prefix keeps
// the _partial.html files, which a plain directory pattern would leave out.
//
//go:embed all:default
var defaultTheme embed.FS

// DefaultFiles returns the embedded default theme's files (layout.html, the pages, partials and static/), for a
// command that writes them out as the starting point of a custom theme.
func DefaultFiles() fs.FS {
	sub, err := fs.Sub(defaultTheme, "default")
	if err != nil {
		panic(err) // "default" is a valid path; fs.Sub cannot fail on it
	}
	return sub
}

// source is one theme file: its bytes and where it came from, for error messages.
type source struct {
	name   string // the template's name ("login.html") or the static file's path under static/ ("img/bg.svg")
	origin string // "default/login.html" for embedded files, the file's path for an overlay
	data   []byte
}

// fileSet is a theme before parsing: template files by file name and static files by path under static/.
type fileSet struct {
	templates map[string]source   // "login.html", "layout.html", "_csrf.html", ...
	static    map[string]source   // "style.css", "img/logo.svg", ...
	messages  map[string][]source // locale → its catalogs: the default's, then the overlay's
}

// Load reads the embedded default theme and, when dir is not empty, overlays the theme directory on it file by
// file: <dir>/<name>.html replaces or adds a template, <dir>/static/... replaces or adds a static file. Every page is
// parsed with layout.html and the partials, then rendered with sample data; any problem is an error naming the file.
// Paths leaving dir (a symlink to outside it, an absolute symlink) are refused.
func Load(dir string) (*Theme, error) {
	set, err := readDefault()
	if err != nil {
		return nil, err
	}
	if dir != "" {
		if err := readOverlay(dir, set); err != nil {
			return nil, err
		}
	}
	return build(set)
}

// readDefault collects the embedded default theme.
func readDefault() (*fileSet, error) {
	set := &fileSet{templates: map[string]source{}, static: map[string]source{}, messages: map[string][]source{}}
	err := fs.WalkDir(defaultTheme, "default", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		data, err := defaultTheme.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "default/")
		if name, ok := strings.CutPrefix(rel, staticDir+"/"); ok {
			set.static[name] = source{name: name, origin: p, data: data}
		} else if file, ok := strings.CutPrefix(rel, messagesDir+"/"); ok && path.Ext(file) == catalogExt {
			return set.addCatalog(file, p, data)
		} else if path.Ext(rel) == templateExt && !strings.Contains(rel, "/") {
			set.templates[rel] = source{name: rel, origin: p, data: data}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("themes: embedded default: %w", err)
	}
	return set, nil
}

// build parses every page with layout.html and the partials, checks the required pages exist and renders each page
// with its sample data. Syntax errors of all files are reported together.
func build(set *fileSet) (*Theme, error) {
	layout, ok := set.templates[layoutFile]
	if !ok {
		return nil, errors.New("themes: " + layoutFile + " is missing")
	}
	var shared []source // layout.html first, then the partials in name order
	shared = append(shared, layout)
	var pages []string
	for _, file := range slices.Sorted(maps.Keys(set.templates)) {
		switch {
		case file == layoutFile:
		case strings.HasPrefix(file, partialPrefix):
			shared = append(shared, set.templates[file])
		default:
			pages = append(pages, file)
		}
	}

	// Syntax-check the shared files alone first, so an error in layout.html is reported once, not once per page.
	var errs []error
	for _, src := range shared {
		if _, err := template.New(src.name).Funcs(funcs(nil)).Parse(string(src.data)); err != nil {
			errs = append(errs, fmt.Errorf("themes: %s: %w", src.origin, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	// The static files come first: {{static "style.css"}} hashes them while the pages are checked.
	static, err := newStaticFS(set.static)
	if err != nil {
		return nil, err
	}
	catalogs, err := buildCatalogs(set)
	if err != nil {
		return nil, err
	}
	t := &Theme{pages: map[string]map[string]*template.Template{}, catalogs: catalogs, static: static}
	t.matcher = newMatcher(t.Locales())
	for _, file := range pages {
		src := set.templates[file]
		name := strings.TrimSuffix(file, templateExt)
		if !validName(name) {
			errs = append(errs, fmt.Errorf("themes: %s: page name %q: use letters, digits, '-', '_' and '.'", src.origin, name))
			continue
		}
		tpl, err := parsePage(src, shared, static)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		localized, err := t.localize(name, src, tpl)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t.pages[name] = localized
	}
	for _, name := range Required() {
		if _, ok := set.templates[name+templateExt]; !ok {
			errs = append(errs, fmt.Errorf("themes: required template %s is missing", name+templateExt))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// parsePage parses one page into its own set: layout.html and the partials first, the page last, so the page's
// {{define "title"}} and {{define "content"}} replace the layout's default blocks. The root template is the page.
func parsePage(page source, shared []source, static *staticFS) (*template.Template, error) {
	root := template.New(page.name).Funcs(funcs(static))
	for _, src := range shared {
		if _, err := root.New(src.name).Parse(string(src.data)); err != nil {
			return nil, fmt.Errorf("themes: %s: %w", src.origin, err)
		}
	}
	if _, err := root.Parse(string(page.data)); err != nil {
		return nil, fmt.Errorf("themes: %s: %w", page.origin, err)
	}
	return root, nil
}

// localize makes one copy of a parsed page per locale, its t and tn functions bound to that locale's catalog, and
// checks each: it renders every copy in each of the page's sample states (States), so a misspelt field, a message
// key no catalog has, an unguarded optional field or an escaping error fails at load instead of on a user's
// request.
func (t *Theme) localize(name string, src source, tpl *template.Template) (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, locale := range t.Locales() {
		clone, err := tpl.Clone() // never executed yet: Clone cannot fail here
		if err != nil {
			return nil, fmt.Errorf("themes: %s: %w", src.origin, err)
		}
		clone.Funcs(t.messageFuncs(locale))
		for _, s := range States(name) {
			if err := t.execute(io.Discard, clone, name, locale, s.Page); err != nil {
				return nil, fmt.Errorf("themes: %s: rendering with sample data (%s, %s): %w", src.origin, s.Label, locale, err)
			}
		}
		out[locale] = clone
	}
	return out, nil
}

// addCatalog records an embedded or overlay catalog file (messages/<locale>.json) under its canonical locale.
func (set *fileSet) addCatalog(file, origin string, data []byte) error {
	locale, err := localeOf(file)
	if err != nil {
		return fmt.Errorf("themes: %s: %w", origin, err)
	}
	set.messages[locale] = append(set.messages[locale], source{name: file, origin: origin, data: data})
	return nil
}
