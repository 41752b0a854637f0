package preview

import (
	"net/http"

	"github.com/assentry/assentry/themes"
	xlanguage "golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// locale is the language a preview request is shown in, chosen as the server chooses a page's (themes.Theme.Locale,
// OIDC Core 1.0 §3.1.2.1): the query's ui_locales, then Accept-Language (RFC 9110 §12.5.4), among the theme's
// catalogs. The preview has no signed-in user, so no stored locale takes part.
func locale(t *themes.Theme, r *http.Request) string {
	return t.Locale(r.URL.Query().Get("ui_locales"), "", r.Header.Get("Accept-Language"))
}

// language is one entry of the index's language switch.
type language struct {
	Tag     string // the catalog's BCP 47 tag: "fr"
	Name    string // the language's name in itself: "français"
	Current bool   // the pages are shown in it now
}

// languages lists the theme's catalogs for the language switch, English first (themes.Theme.Locales).
func languages(t *themes.Theme, current string) []language {
	var out []language
	for _, tag := range t.Locales() {
		name := display.Self.Name(xlanguage.Make(tag))
		if name == "" {
			name = tag
		}
		out = append(out, language{Tag: tag, Name: name, Current: tag == current})
	}
	return out
}
