package themes

import (
	"encoding/json"
	"html"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// defaultCatalog reads a catalog of the embedded default theme.
func defaultCatalog(t *testing.T, locale string) map[string]string {
	t.Helper()
	data, err := fs.ReadFile(DefaultFiles(), "messages/"+locale+".json")
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]string
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDefaultCatalogsComplete: German has every English key and no other, the server's own messages are in both,
// and no German text is left in English (a few words are the same in both languages).
func TestDefaultCatalogsComplete(t *testing.T) {
	th := mustLoad(t, "")
	if got := th.Locales(); !slices.Equal(got, []string{"en", "de"}) {
		t.Errorf("Locales() = %v, want [en de]", got)
	}
	if missing := th.MissingMessages(); len(missing) > 0 {
		t.Errorf("MissingMessages() = %v, want none", missing)
	}
	en, de := defaultCatalog(t, "en"), defaultCatalog(t, "de")
	if !slices.Equal(slices.Sorted(maps.Keys(en)), slices.Sorted(maps.Keys(de))) {
		t.Errorf("en and de have different keys")
	}
	for _, key := range ServerMessages() {
		if en[key] == "" || de[key] == "" {
			t.Errorf("server message %q: en %q, de %q", key, en[key], de[key])
		}
	}
	same := map[string]bool{"device.code": true, "oob.code": true, "error.detail": true}
	for key, text := range de {
		if text == en[key] && !same[key] {
			t.Errorf("de %q is still English: %q", key, text)
		}
	}
}

// TestTemplateKeysExist: every {{t "key"}} and {{tn "key" n}} in the default templates names a key of both
// catalogs (tn: its .one and .other forms). The load check catches a key no catalog has; this one catches a key
// only English has.
func TestTemplateKeysExist(t *testing.T) {
	en, de := defaultCatalog(t, "en"), defaultCatalog(t, "de")
	re := regexp.MustCompile(`\{\{-?\s*(t|tn) "([^"]+)"`)
	files, err := fs.Glob(DefaultFiles(), "*.html")
	if err != nil {
		t.Fatal(err)
	}
	used := 0
	for _, f := range files {
		data, err := fs.ReadFile(DefaultFiles(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			keys := []string{m[2]}
			if m[1] == "tn" {
				keys = []string{m[2] + ".one", m[2] + ".other"}
			}
			for _, k := range keys {
				used++
				if en[k] == "" || de[k] == "" {
					t.Errorf("%s uses %q: en %q, de %q", f, k, en[k], de[k])
				}
			}
		}
	}
	if used < 50 {
		t.Errorf("found only %d message uses in the templates: is the pattern right?", used)
	}
}

// TestRenderEveryPageInBothLanguages renders every page in every sample state in English and German: German
// pages say lang="de" and contain no English sentence of the catalog.
func TestRenderEveryPageInBothLanguages(t *testing.T) {
	th := mustLoad(t, "")
	en, de := defaultCatalog(t, "en"), defaultCatalog(t, "de")
	placeholder := regexp.MustCompile(`\{[a-z]+\}`)
	var english []string // English texts (their longest part between placeholders) that German must not show
	for key, text := range en {
		if text == de[key] {
			continue
		}
		for _, part := range placeholder.Split(text, -1) {
			if len(strings.TrimSpace(part)) >= 12 {
				english = append(english, html.EscapeString(strings.TrimSpace(part)))
			}
		}
	}
	for _, name := range th.Names() {
		for _, s := range States(name) {
			for _, locale := range []string{"en", "de"} {
				t.Run(name+"/"+s.Name+"/"+locale, func(t *testing.T) {
					p := *s.Page
					p.Locale = locale
					got := render(t, th, name, &p)
					if !strings.Contains(got, `<html lang="`+locale+`">`) {
						t.Errorf("no <html lang=%q>", locale)
					}
					if locale != "de" {
						return
					}
					for _, e := range english {
						if strings.Contains(got, e) {
							t.Errorf("German page shows English %q", e)
						}
					}
				})
			}
		}
	}
}

func TestGermanPages(t *testing.T) {
	th := mustLoad(t, "")
	p := fullPage()
	p.Locale = "de"
	tests := []struct {
		page string
		want []string
	}{
		{PageLogin, []string{"<h1>Anmelden</h1>", "um mit Example App fortzufahren", "Benutzername oder Passwort ist nicht korrekt.",
			`data-show="Passwort anzeigen"`, `<a href="https://example.com/terms" id="footer-terms">Nutzungsbedingungen</a>`,
			`id="footer-privacy">Datenschutz</a>`, `id="footer-help">Hilfe</a>`, `<img class="site-logo" src="/static/favicon.`}},
		{PageConsent, []string{"Example App zulassen", "Sie anmelden", "(immer enthalten)", "Ihre E-Mail-Adresse",
			"A scope the operator described.", `Sie können dies jederzeit auf <a href="/account">Ihrer Kontoseite</a> widerrufen.`,
			"Wenn Sie zustimmen, werden Sie zu app.example.com weitergeleitet."}},
		{PageError, []string{"<h1>Zugriff verweigert</h1>", `Referenz: <code id="request-id">sample-request-id</code>`,
			"Zurück zu app.example.com"}},
		{PageLogout, []string{"Von Example abmelden?", `id="logout-cancel">Abbrechen</a>`}},
		{PageDeviceDone, []string{"Gerät verbunden"}},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			got := render(t, th, tt.page, p)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
		})
	}
}

// TestConsentFixedScope: openid is text, never a checkbox, in both languages; other scopes keep theirs.
func TestConsentFixedScope(t *testing.T) {
	th := mustLoad(t, "")
	for _, locale := range []string{"en", "de"} {
		p := fullPage()
		p.Locale = locale
		got := render(t, th, PageConsent, p)
		if strings.Contains(got, `value="openid"`) || !strings.Contains(got, `id="scope-openid"`) {
			t.Errorf("%s: openid is not fixed text:\n%s", locale, got)
		}
		if !strings.Contains(got, `name="scope" value="email"`) {
			t.Errorf("%s: email lost its checkbox", locale)
		}
	}
}

func TestErrorTranslation(t *testing.T) {
	th := mustLoad(t, "")
	tests := []struct {
		name   string
		locale string
		err    Error
		want   []string
	}{
		{name: "server message", locale: "de", err: Error{Code: "invalid_request", Key: MsgUnknownInteraction},
			want: []string{"Diese Anmeldeanfrage ist unbekannt", "<code>invalid_request</code>"}},
		{name: "protocol error explained, description as detail", locale: "en",
			err: Error{Code: "invalid_request", Description: "redirect_uri is not registered"},
			want: []string{"<h1>This request cannot be completed</h1>", "The application sent a request that is not valid",
				"Details: redirect_uri is not registered"}},
		{name: "unknown code: the generic sentence, its description as detail", locale: "de",
			err: Error{Code: "weird", Description: "Raw text."},
			want: []string{"<h1>Etwas ist schiefgelaufen</h1>", "<p>Diese Anfrage kann nicht ausgeführt werden.",
				"Details: Raw text."}},
		{name: "server failure", locale: "en", err: Error{Code: "server_error", Key: MsgServerFailure},
			want: []string{"Something went wrong on our side", "quote the reference"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := basePage()
			p.Locale, p.Error, p.RequestID = tt.locale, &tt.err, "req-1"
			got := render(t, th, PageError, p)
			for _, w := range append(tt.want, `<code id="request-id">req-1</code>`, `href="/" id="error-home"`) {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
		})
	}
}

// TestLocaleChoice: ui_locales beats the user's stored locale, which beats Accept-Language; a regional tag
// matches its language; nothing supported is English.
func TestLocaleChoice(t *testing.T) {
	th := mustLoad(t, "")
	tests := []struct {
		name                   string
		ui, user, accept, want string
	}{
		{name: "nothing", want: "en"},
		{name: "accept-language", accept: "de-DE,de;q=0.9,en;q=0.8", want: "de"},
		{name: "accept-language q order", accept: "en;q=0.5, de;q=0.9", want: "de"},
		{name: "user locale beats accept-language", user: "en-GB", accept: "de", want: "en"},
		{name: "ui_locales beats user locale", ui: "de", user: "en", accept: "en", want: "de"},
		{name: "first supported ui_locale", ui: "fr-CA de-AT en", accept: "en", want: "de"},
		{name: "unsupported ui_locales fall through", ui: "fr ja", user: "de-CH", want: "de"},
		{name: "garbage is ignored", ui: "!!", user: "??", accept: ";;;", want: "en"},
		{name: "no guessing across languages", accept: "nl", want: "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := th.Locale(tt.ui, tt.user, tt.accept); got != tt.want {
				t.Errorf("Locale(%q, %q, %q) = %q, want %q", tt.ui, tt.user, tt.accept, got, tt.want)
			}
		})
	}
}

// TestOverlayCatalogs: a theme rewords one English message, adds a language with a few keys (the rest falls
// back to English and MissingMessages lists it), and its templates may use keys of its own.
func TestOverlayCatalogs(t *testing.T) {
	th := mustLoad(t, writeTheme(t, map[string]string{
		"messages/en.json":    `{"login.title": "Welcome back", "brand.tagline": "Acme accounts"}`,
		"messages/fr.json":    `{"login.title": "Connexion", "login.username": "Nom d'utilisateur"}`,
		"messages/notes.txt":  `ignored`,
		"messages/sub/x.json": `{"ignored": "too deep"}`,
		"signed_in.html":      `{{template "layout.html" .}}{{define "content"}}<p>{{t "brand.tagline"}}</p>{{end}}`,
	}))
	if got := th.Locales(); !slices.Equal(got, []string{"en", "de", "fr"}) {
		t.Errorf("Locales() = %v", got)
	}
	missing := th.MissingMessages()
	if _, ok := missing["de"]; !ok || !slices.Contains(missing["de"], "brand.tagline") {
		t.Errorf("de should miss brand.tagline: %v", missing["de"])
	}
	if slices.Contains(missing["fr"], "login.title") || !slices.Contains(missing["fr"], "login.password") {
		t.Errorf("fr missing = %v", missing["fr"])
	}
	p := basePage()
	p.Action = "/login"
	p.Locale = "fr-FR"
	got := render(t, th, PageLogin, p)
	for _, w := range []string{`<html lang="fr">`, "<h1>Connexion</h1>", "Nom d&#39;utilisateur", "Password"} {
		if !strings.Contains(got, w) {
			t.Errorf("fr login lacks %q:\n%s", w, got)
		}
	}
	p.Locale = "en"
	if got := render(t, th, PageLogin, p); !strings.Contains(got, "<h1>Welcome back</h1>") {
		t.Errorf("the overlay's English message is not used:\n%s", got)
	}
	p.User = &User{Username: "a"}
	p.Locale = "de"
	if got := render(t, th, PageSignedIn, p); !strings.Contains(got, "Acme accounts") {
		t.Errorf("a key only English has falls back to English:\n%s", got)
	}
}

func TestCatalogErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{name: "broken JSON", files: map[string]string{"messages/de.json": `{"a": `}, want: []string{"de.json"}},
		{name: "not strings", files: map[string]string{"messages/de.json": `{"a": 1}`}, want: []string{"de.json"}},
		{name: "bad locale name", files: map[string]string{"messages/deutsch!.json": `{}`}, want: []string{"deutsch!.json", "BCP 47"}},
		{name: "unknown key in a template", files: map[string]string{
			"login.html": `{{template "layout.html" .}}{{define "content"}}{{t "login.titel"}}{{end}}`},
			want: []string{"login.html", `"login.titel" is in no catalog`}},
		{name: "odd arguments", files: map[string]string{
			"oob.html": `{{template "layout.html" .}}{{define "content"}}{{t "oob.paste_into" "client"}}{{end}}`},
			want: []string{"oob.html", "name/value pairs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeTheme(t, tt.files))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
