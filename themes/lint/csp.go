package lint

import (
	"regexp"
	"strings"
)

// cspTemplate reports the markup of one template source that pages served with the default Content Security
// Policy (default-src 'self', docs/architecture.md §6) would have blocked: the browser drops it silently, so the
// author sees a page that half works.
func cspTemplate(file, src string) []Problem {
	masked := maskActions(src)
	var out []Problem
	add := func(t tag, msg string) {
		line, col := position(masked, t.offset)
		out = append(out, Problem{File: file, Line: line, Col: col, Msg: msg})
	}
	for _, t := range scan(masked) {
		switch {
		case t.name == "script":
			if _, hasSrc := t.get("src"); !hasSrc || strings.TrimSpace(t.body) != "" {
				add(t, "inline <script>: the CSP blocks it; put the code in a file under static/ and load it with <script src=\"{{static \\\"app.js\\\"}}\" defer>")
			}
		case t.name == "style":
			add(t, "<style> element: the CSP blocks it; put the rules in a stylesheet under static/")
		}
		for _, a := range t.attrs {
			switch {
			case a.name == "style":
				add(t, "style= attribute on <"+t.name+">: the CSP blocks it; use a class and a rule in a stylesheet under static/")
			case len(a.name) > 2 && strings.HasPrefix(a.name, "on") && isLetter(a.name[2]):
				add(t, a.name+"= handler on <"+t.name+">: the CSP blocks inline event handlers; pages must work without JavaScript")
			case isJavaScriptURL(a.value):
				add(t, "javascript: URL in "+a.name+"= on <"+t.name+">: the CSP blocks it")
			}
		}
		if attr, v, ok := fetched(t); ok && external(v) {
			add(t, "<"+t.name+" "+attr+"=\""+v+"\">: the CSP (default-src 'self') blocks resources from other origins and data: URLs; ship the file under static/")
		}
	}
	return out
}

// fetched returns the URL attribute of a tag whose resource the browser loads (rather than navigates to).
func fetched(t tag) (string, string, bool) {
	switch t.name {
	case "script", "img", "iframe", "audio", "video", "source", "track", "embed", "input":
		v, ok := t.get("src")
		return "src", strings.TrimSpace(v), ok
	case "object":
		v, ok := t.get("data")
		return "data", strings.TrimSpace(v), ok
	case "link":
		rel, _ := t.get("rel")
		for _, r := range strings.Fields(strings.ToLower(rel)) {
			switch r {
			case "stylesheet", "icon", "apple-touch-icon", "preload", "modulepreload", "prefetch", "manifest", "mask-icon":
				v, ok := t.get("href")
				return "href", strings.TrimSpace(v), ok
			}
		}
	}
	return "", "", false
}

// external reports whether a URL is on another origin (absolute or scheme-relative) or a data: URL. A relative
// or root-relative URL is the server's own.
func external(v string) bool {
	v = strings.ToLower(v)
	return strings.HasPrefix(v, "http:") || strings.HasPrefix(v, "https:") || strings.HasPrefix(v, "//") ||
		strings.HasPrefix(v, "data:")
}

// isJavaScriptURL reports a javascript: URL, as browsers read one: case-insensitive, ignoring leading spaces and
// control characters and tabs or newlines inside the scheme (WHATWG URL).
func isJavaScriptURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, strings.ToLower(v))
	return strings.HasPrefix(v, "javascript:")
}

// cssURL matches a url() or @import whose target is on another origin or a data: URL.
var cssURL = regexp.MustCompile(`(?i)(url\(\s*['"]?|@import\s+['"])\s*(https?:|//|data:)`)

// cspStylesheet reports what a stylesheet would fetch from elsewhere: fonts, images and imports from other origins
// and data: URLs are blocked by default-src 'self' as well.
func cspStylesheet(file, css string) []Problem {
	var out []Problem
	for i, line := range strings.Split(css, "\n") {
		if m := cssURL.FindStringIndex(line); m != nil {
			out = append(out, Problem{File: file, Line: i + 1, Col: m[0] + 1,
				Msg: "the CSP (default-src 'self') blocks resources from other origins and data: URLs; ship the file under static/"})
		}
	}
	return out
}
