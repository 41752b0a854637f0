package preview

import (
	"bytes"
	_ "embed"
	"errors"
	"html/template"
	"net/http"
	"path"
	"strings"

	"github.com/assentry/assentry/themes"
)

// Paths of the preview's own endpoints, under a prefix no theme file can take (a page name cannot start with '_').
const (
	versionPath = "/__preview/version"
	scriptPath  = "/__preview/reload.js"
)

// reloadJS polls versionPath and reloads the page when the theme changed. A same-origin file, so the pages keep the
// server's Content Security Policy (no inline script). The real server never serves it.
//
//go:embed reload.js
var reloadJS []byte

// Handler serves the preview:
//
//	/                        the index: every page in every state, and the last load's errors
//	/page/<page>/<state>     a page rendered with sample data, with the reload script added
//	/static/...              the theme's static files, by plain or hashed name
//	/__preview/version       the theme's version number, which the reload script polls
//	/__preview/reload.js     the reload script
//
// The index and the pages are in the language the server would choose among the theme's catalogs: the query's
// ui_locales (?ui_locales=fr), else the browser's Accept-Language, else English (language.go). Forms are not
// submitted: a POST answers with a short explanation.
func (p *Preview) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", p.index)
	mux.HandleFunc("GET /page/{page}/{state}", p.page)
	mux.HandleFunc("GET /static/{path...}", p.static)
	mux.HandleFunc("GET "+versionPath, func(w http.ResponseWriter, _ *http.Request) {
		v, _ := p.state()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(v))
	})
	mux.HandleFunc("GET "+scriptPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", themes.ContentType("reload.js"))
		_, _ = w.Write(reloadJS)
	})
	mux.HandleFunc("POST /", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("This is the theme preview: forms are not submitted. Go back to see the page again.\n"))
	})
	return headers(mux)
}

// headers sets what the server sends with its pages (docs/architecture.md §6), so the preview shows what the CSP
// would block, and nothing is cached: the author's next change shows at once.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}

// page renders one page in one state.
func (p *Preview) page(w http.ResponseWriter, r *http.Request) {
	t := p.live.Load()
	name, stateName := r.PathValue("page"), r.PathValue("state")
	if !t.Has(name) {
		http.NotFound(w, r)
		return
	}
	states, _ := statesOf(name)
	var state *themes.State
	for i := range states {
		if states[i].Name == stateName {
			state = &states[i]
		}
	}
	if state == nil {
		http.NotFound(w, r)
		return
	}
	if state.Page.ShowLogos {
		// As the server does with show_client_logos: client logos live on the clients' sites.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' https:; frame-ancestors 'none'")
	}
	sample := *state.Page
	sample.Locale = locale(t, r)
	var buf bytes.Buffer
	if err := t.Render(&buf, name, &sample); err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(err.Error() + "\n"))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(withReloadScript(buf.Bytes()))
}

// withReloadScript adds the reload script before </body>, or at the end of a page without one.
func withReloadScript(page []byte) []byte {
	tag := []byte(`<script src="` + scriptPath + `" defer></script>`)
	i := bytes.LastIndex(bytes.ToLower(page), []byte("</body>"))
	if i < 0 {
		return append(page, tag...)
	}
	return append(append(append([]byte(nil), page[:i]...), tag...), page[i:]...)
}

// static serves the current theme's static files.
func (p *Preview) static(w http.ResponseWriter, r *http.Request) {
	name := path.Clean(r.PathValue("path"))
	f, ok := p.live.Load().LookupStatic(name)
	if !ok || strings.HasPrefix(name, "..") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", themes.ContentType(f.Name))
	_, _ = w.Write(f.Data)
}

// index lists every page in every state, with the last load's errors on top.
func (p *Preview) index(w http.ResponseWriter, r *http.Request) {
	t := p.live.Load()
	version, loadErr := p.state()
	lang := locale(t, r)
	data := indexData{Dir: p.dir, Version: version, Entries: Entries(t), Script: scriptPath, Locale: lang,
		Languages: languages(t, lang)}
	if loadErr != nil {
		for _, e := range flatten(loadErr) {
			data.Errors = append(data.Errors, e.Error())
		}
	}
	if u, err := t.StaticURL("style.css"); err == nil {
		data.Style = u
	}
	var buf bytes.Buffer
	if err := indexTemplate.Execute(&buf, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

type indexData struct {
	Dir, Version, Style, Script string
	Locale                      string // the language the pages are shown in, carried by their links
	Languages                   []language
	Errors                      []string
	Entries                     []Entry
}

var indexTemplate = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Theme preview{{with .Dir}} · {{.}}{{end}}</title>
{{with .Style}}<link rel="stylesheet" href="{{.}}">{{end}}
</head>
<body>
<main class="card">
<h1>Theme preview</h1>
<p>{{if .Dir}}<code>{{.Dir}}</code>, version {{.Version}}: pages reload when a file changes.{{else}}The embedded default theme.{{end}}
Light or dark follows your system's setting.</p>
<nav aria-label="Language" id="languages"><p>Pages in:
{{- range .Languages}} <a href="/?ui_locales={{.Tag}}" hreflang="{{.Tag}}" lang="{{.Tag}}"{{if .Current}} aria-current="page"{{end}}>{{.Name}}</a>{{end}}</p></nav>
{{with .Errors}}<div role="alert" id="load-errors"><h2>The theme does not load</h2>
<p>The pages show the last version that loaded. Fix these and save:</p>
<ul>{{range .}}<li><pre>{{.}}</pre></li>{{end}}</ul></div>{{end}}
<ul id="pages">
{{- range .Entries}}
<li><a href="/page/{{.Page}}/{{.State}}?ui_locales={{$.Locale}}">{{.Page}}: {{.Label}}</a>{{if .Extra}} (extra page){{end}}</li>
{{- end}}
</ul>
</main>
<script src="{{.Script}}" defer></script>
</body>
</html>
`))

// flatten splits the errors themes.Load joins, one per broken file.
func flatten(err error) []error {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
