package themes

import (
	"strings"
	"testing"
)

// TestExampleTheme loads examples/themes/aurora as a server would: it passes the load check, adds French with
// every key, and renders every page and state in its three languages with its layout, palette and messages.
func TestExampleTheme(t *testing.T) {
	th := mustLoad(t, "../examples/themes/aurora")
	if got := strings.Join(th.Locales(), " "); got != "en de fr" {
		t.Errorf("Locales() = %q, want en de fr", got)
	}
	if missing := th.MissingMessages(); len(missing) > 0 {
		t.Errorf("MissingMessages() = %v, want none", missing)
	}
	want := map[string][]string{
		"en": {"One account for every Aurora service", "<h1>Sign in to Aurora</h1>"},
		"de": {"Ein Konto für alle Dienste von Aurora", "<h1>Bei Aurora anmelden</h1>"},
		"fr": {"Un seul compte pour tous les services d’Aurora", "<h1>Connexion</h1>", "Nom d’utilisateur"},
	}
	for _, name := range th.Names() {
		for _, s := range States(name) {
			for locale, texts := range want {
				p := *s.Page
				p.Locale = locale
				got := render(t, th, name, &p)
				if !strings.Contains(got, `href="/static/aurora.`) || !strings.Contains(got, texts[0]) ||
					!strings.Contains(got, `<html lang="`+locale+`">`) {
					t.Errorf("%s (%s, %s) does not use the Aurora layout in its language", name, s.Label, locale)
				}
				if name == PageLogin && !strings.Contains(got, texts[1]) {
					t.Errorf("login (%s) lacks %q", locale, texts[1])
				}
			}
		}
	}
}
