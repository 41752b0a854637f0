package themes

import (
	"strings"
	"testing"
)

func TestLookupStatic(t *testing.T) {
	th := mustLoad(t, writeTheme(t, map[string]string{
		"static/img/logo.svg":        "<svg/>",
		"static/LICENSE":             "text",
		"static/app.0123456789ab.js": "real file with a hash-like name",
		"static/fonts/body.v2.woff2": "font",
	}))
	url := func(name string) string {
		u, err := th.StaticURL(name)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(u, StaticPrefix)
	}
	tests := []struct {
		name, path, file string
		immutable, found bool
	}{
		{name: "plain", path: "img/logo.svg", file: "img/logo.svg", found: true},
		{name: "hashed", path: url("img/logo.svg"), file: "img/logo.svg", immutable: true, found: true},
		{name: "hashed, no extension", path: url("LICENSE"), file: "LICENSE", immutable: true, found: true},
		{name: "hashed, two dots", path: url("fonts/body.v2.woff2"), file: "fonts/body.v2.woff2", immutable: true, found: true},
		{name: "stale hash", path: "img/logo.000000000000.svg", file: "img/logo.svg", found: true},
		{name: "a real file wins over a hashed reading", path: "app.0123456789ab.js", file: "app.0123456789ab.js", found: true},
		{name: "hash too short", path: "img/logo.0000.svg"},
		{name: "upper-case hash", path: "img/logo.00000000000A.svg"},
		{name: "missing file", path: "img/nope.000000000000.svg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := th.LookupStatic(tt.path)
			if ok != tt.found || f.Name != tt.file || f.Immutable != tt.immutable {
				t.Fatalf("LookupStatic(%q) = %q immutable=%v found=%v", tt.path, f.Name, f.Immutable, ok)
			}
		})
	}
	if !strings.HasPrefix(url("img/logo.svg"), "img/logo.") || !strings.HasSuffix(url("img/logo.svg"), ".svg") {
		t.Fatalf("hashed name %q", url("img/logo.svg"))
	}
}

// TestStaticFunc: {{static}} yields the hashed URL, which changes with the content; a missing file fails the load
// with the template's name.
func TestStaticFunc(t *testing.T) {
	page := `{{template "layout.html" .}}{{define "content"}}<img alt="" src="{{static "img/x.svg"}}">{{end}}`
	a := render(t, mustLoad(t, writeTheme(t, map[string]string{"pic.html": page, "static/img/x.svg": "<svg/>"})), "pic", basePage())
	b := render(t, mustLoad(t, writeTheme(t, map[string]string{"pic.html": page, "static/img/x.svg": "<svg></svg>"})), "pic", basePage())
	if !strings.Contains(a, `src="/static/img/x.`) || a == b {
		t.Fatalf("the URL does not follow the content:\n%s\n%s", a, b)
	}
	_, err := Load(writeTheme(t, map[string]string{"pic.html": page}))
	if err == nil || !strings.Contains(err.Error(), "pic.html") || !strings.Contains(err.Error(), `static "img/x.svg"`) {
		t.Fatalf("Load: %v", err)
	}
}

// TestLogoHashed: the operator's logo, a plain path under /static/ in the page data, is rendered by its hashed URL
// (cached as immutable); a path the theme has no file for, or one outside /static/, is kept.
func TestLogoHashed(t *testing.T) {
	th := mustLoad(t, writeTheme(t, map[string]string{"static/img/logo.svg": "<svg/>"}))
	hashed, err := th.StaticURL("img/logo.svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, logo, want string }{
		{name: "a file of the theme", logo: "/static/img/logo.svg", want: `src="` + hashed + `"`},
		{name: "no such file", logo: "/static/img/nope.svg", want: `src="/static/img/nope.svg"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := basePage()
			p.Logo, p.Error = tt.logo, &Error{Code: "access_denied", Key: MsgBadCredentials}
			if got := render(t, th, PageError, p); !strings.Contains(got, tt.want) {
				t.Fatalf("page lacks %s:\n%s", tt.want, got)
			}
			if p.Logo != tt.logo {
				t.Fatalf("Render modified the page: %q", p.Logo)
			}
		})
	}
}
