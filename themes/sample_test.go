package themes

import (
	"html"
	"strings"
	"testing"
)

// englishFragments are the parts of the English catalog's texts that German words differently: each text split at
// its {placeholders}, keeping fragments long enough to be a phrase rather than a word both languages share.
func englishFragments(t *testing.T) map[string]string {
	t.Helper()
	en, de := defaultCatalog(t, "en"), defaultCatalog(t, "de")
	out := map[string]string{}
	for key, text := range en {
		if de[key] == text {
			continue
		}
		for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == '{' || r == '}' }) {
			if part = strings.TrimSpace(part); len(part) >= 8 && strings.Contains(part, " ") && !strings.Contains(de[key], part) {
				out[part] = key
			}
		}
	}
	return out
}

// noEnglishInGerman renders every sample state of the named pages in German and fails on any English fragment.
func noEnglishInGerman(t *testing.T, th *Theme, names []string, fragments map[string]string) {
	t.Helper()
	for _, name := range names {
		for _, s := range States(name) {
			p := *s.Page
			p.Locale = "de"
			got := html.UnescapeString(render(t, th, name, &p))
			for frag, key := range fragments {
				if strings.Contains(got, frag) {
					t.Errorf("%s (%s) in German shows %q (en %s)", name, s.Label, frag, key)
				}
			}
		}
	}
}

// TestSamplesInGermanHaveNoEnglish: every sample state of every page (what `assentry theme serve` previews and the
// load check renders), rendered in German, shows none of the English catalog's sentences: the samples name the
// server's messages by the keys the server uses, as the server does, instead of English descriptions.
func TestSamplesInGermanHaveNoEnglish(t *testing.T) {
	th := mustLoad(t, "")
	fragments := englishFragments(t)
	if len(fragments) < 100 {
		t.Fatalf("only %d English fragments", len(fragments))
	}
	noEnglishInGerman(t, th, th.Names(), fragments)
}

// TestSampleErrorsAsTheServerSendsThem: the samples' errors are ones the server sends. A form page (login, consent,
// device, account, logout) shows only .Error.Description, so the server names its message by key there; on the
// error page a protocol error's code is one the catalog explains (its description, English, is the detail).
func TestSampleErrorsAsTheServerSendsThem(t *testing.T) {
	en := defaultCatalog(t, "en")
	for _, name := range Required() {
		for _, s := range States(name) {
			e := s.Page.Error
			if e == nil || s.Name == StateAllFields {
				continue
			}
			switch {
			case name != PageError && (e.Key == "" || e.Description != ""):
				t.Errorf("%s (%s): a form error without a message key: %+v", name, s.Label, *e)
			case e.Key != "" && en[e.Key] == "":
				t.Errorf("%s (%s): key %q is not in the English catalog", name, s.Label, e.Key)
			case e.Key == "" && en["error."+e.Code+".text"] == "":
				t.Errorf("%s (%s): code %q is not one the catalog explains", name, s.Label, e.Code)
			}
			if s.Page.Title != "" || (s.Page.Return != nil && s.Page.Return.Text != "") {
				t.Errorf("%s (%s): English page data the server does not send (.Title, .Return.Text)", name, s.Label)
			}
		}
	}
}

// TestSampleFieldsInGerman: a theme that shows the documented fields the default theme words itself (.Title,
// .Error.Title and .Description, .Return.Text) shows them in German for every sample state rendered in German.
func TestSampleFieldsInGerman(t *testing.T) {
	files := map[string]string{}
	for _, name := range Required() {
		files[name+".html"] = `{{template "layout.html" .}}{{define "content"}}<p>{{.Title}}</p>` +
			`{{with .Error}}<p>{{.Title}}</p><p>{{.Description}}</p>{{end}}{{with .Return}}<p>{{.Text}}</p>{{end}}{{end}}`
	}
	th := mustLoad(t, writeTheme(t, files))
	fragments := englishFragments(t)
	noEnglishInGerman(t, th, Required(), fragments)
}

// TestConsentSamplesShowOrigin: the consent samples preview the verified origin next to the client's name, and
// an untrusted client's redirect host, with a long origin for the narrow-screen check.
func TestConsentSamplesShowOrigin(t *testing.T) {
	th := mustLoad(t, "")
	seen := map[string]bool{}
	for _, s := range States(PageConsent) {
		got := render(t, th, PageConsent, s.Page)
		if strings.Contains(got, `id="client-origin"`) {
			seen["origin:"+s.Name] = true
		}
		if strings.Contains(got, `id="redirect-host"`) {
			seen["redirect:"+s.Name] = true
		}
	}
	for _, want := range []string{"origin:plain", "origin:long-client-name", "redirect:long-client-name", "redirect:untrusted"} {
		if !seen[want] {
			t.Errorf("no %s among %v", want, seen)
		}
	}
	for _, s := range States(PageConsent) {
		if s.Name == "long-client-name" && len(s.Page.Client.Origin) < 60 {
			t.Errorf("long-client-name: origin %q is not long", s.Page.Client.Origin)
		}
	}
}

// TestTitleIsTheDefaultHeading: .Title is what the default theme titles each page with, in every sample state and
// both languages: a theme whose pages title themselves {{.Title}} gets the same <title> as the default.
func TestTitleIsTheDefaultHeading(t *testing.T) {
	files := map[string]string{}
	for _, name := range Required() {
		files[name+".html"] = `{{template "layout.html" .}}{{define "title"}}{{.Title}}{{end}}{{define "content"}}{{end}}`
	}
	def, titled := mustLoad(t, ""), mustLoad(t, writeTheme(t, files))
	title := func(page string) string {
		_, after, _ := strings.Cut(page, "<title>")
		before, _, _ := strings.Cut(after, "</title>")
		return before
	}
	for _, name := range Required() {
		for _, s := range States(name) {
			for _, locale := range []string{"en", "de"} {
				p := *s.Page
				p.Locale = locale
				want, got := title(render(t, def, name, &p)), title(render(t, titled, name, &p))
				if want == "" || got != want {
					t.Errorf("%s (%s, %s): .Title gives <title>%s</title>, the default <title>%s</title>", name, s.Label, locale, got, want)
				}
			}
		}
	}
}
