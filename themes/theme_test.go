package themes

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
)

// TestDefaultThemeCSPClean checks the embedded theme against the pages' CSP (default-src 'self'): no inline script
// or style in any rendered page, and nothing loaded from another origin by the pages or the static files.
func TestDefaultThemeCSPClean(t *testing.T) {
	forbidden := map[string][]*regexp.Regexp{
		".html": {
			// a script only as a same-origin file: <script src="/static/..." defer></script>
			regexp.MustCompile(`(?i)<script(>|\s+[^s>]|\s+src="[^/]|\s+src="/[^s])`), regexp.MustCompile(`(?i)<script[^>]*>[^<]`),
			regexp.MustCompile(`(?i)<style`), regexp.MustCompile(`(?i)\sstyle\s*=`),
			regexp.MustCompile(`(?i)\son[a-z]+\s*=`), regexp.MustCompile(`(?i)javascript:`),
			regexp.MustCompile(`(?i)<(link|script|img|iframe)[^>]*(src|href)="(https?:)?//`),
		},
		".css": {regexp.MustCompile(`(?i)@import`), regexp.MustCompile(`(?i)url\(\s*['"]?(https?:)?//`)},
		".svg": {regexp.MustCompile(`(?i)<script`), regexp.MustCompile(`(?i)href="(https?:)?//`)},
	}
	check := func(name string, data string, rules []*regexp.Regexp) {
		for _, re := range rules {
			if m := re.FindString(data); m != "" {
				t.Errorf("%s: %q is not allowed under the CSP", name, m)
			}
		}
	}

	th := mustLoad(t, "")
	for _, name := range th.Names() {
		for _, s := range States(name) {
			s.Page.ShowLogos = false // logos are the operator's opt-in exception
			var b strings.Builder
			if err := th.Render(&b, name, s.Page); err != nil {
				t.Fatal(err)
			}
			check(name+" ("+s.Label+")", b.String(), forbidden[".html"])
		}
	}
	err := fs.WalkDir(th.Static(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(th.Static(), p)
		check("static/"+p, string(data), forbidden[path.Ext(p)])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
