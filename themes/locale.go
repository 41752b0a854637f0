package themes

import (
	"strings"

	"golang.org/x/text/language"
)

// Locale chooses the locale of a page among the theme's catalogs, in this order (OIDC Core 1.0 §3.1.2.1
// ui_locales, then the user's stored locale claim, §5.1, then the browser's Accept-Language, RFC 9110 §12.5.4):
//
//   - uiLocales: the authorization request's ui_locales, space-separated BCP 47 tags in order of preference;
//   - userLocale: the signed-in user's locale (a BCP 47 tag, "de-AT"), "" when unknown;
//   - acceptLanguage: the Accept-Language header.
//
// The first source with a tag the theme supports decides (a regional tag matches its language: de-AT → de); when
// none does, the page is English. The result is one of Locales().
func (t *Theme) Locale(uiLocales, userLocale, acceptLanguage string) string {
	if l, ok := t.match(strings.Fields(uiLocales)...); ok {
		return l
	}
	if l, ok := t.match(userLocale); ok {
		return l
	}
	if tags, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil && len(tags) > 0 {
		if l, ok := t.matchTags(tags); ok {
			return l
		}
	}
	return fallbackLocale
}

// match matches raw tags (unparsable ones are skipped) against the theme's locales.
func (t *Theme) match(raw ...string) (string, bool) {
	var tags []language.Tag
	for _, r := range raw {
		if tag, err := language.Parse(r); err == nil {
			tags = append(tags, tag)
		}
	}
	return t.matchTags(tags)
}

// matchTags returns the theme locale the preferred tags match with at least high confidence: the same language
// (a region or script difference is fine), never a guess across languages.
func (t *Theme) matchTags(tags []language.Tag) (string, bool) {
	if len(tags) == 0 {
		return "", false
	}
	_, i, conf := t.matcher.Match(tags...)
	if conf < language.High {
		return "", false
	}
	return t.Locales()[i], true
}

// newMatcher matches against locales in their order (Locales: English first, the default when nothing matches).
func newMatcher(locales []string) language.Matcher {
	supported := make([]language.Tag, len(locales))
	for i, l := range locales {
		supported[i] = language.Make(l)
	}
	return language.NewMatcher(supported)
}
