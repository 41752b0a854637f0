package themes

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// A theme's messages live in catalogs, one per locale: messages/<locale>.json, a flat JSON object from message key
// to text ({"login.title": "Sign in"}). A theme directory's catalog is laid over the default catalog of the same
// locale key by key, or adds a locale. English is the fallback for every key: a key missing in another locale is
// shown in English (MissingMessages lists them).

// fallbackLocale is the locale every key must exist in, and the one shown when nothing else matches.
const fallbackLocale = "en"

// messagesDir is the theme directory holding the catalogs.
const messagesDir = "messages"

// catalogExt is the file extension of a catalog.
const catalogExt = ".json"

// catalog is one locale's messages: key → text with {name} placeholders.
type catalog map[string]string

// parseCatalog reads a catalog file: a JSON object whose values are all strings.
func parseCatalog(src source) (catalog, error) {
	var c catalog
	if err := json.Unmarshal(src.data, &c); err != nil {
		return nil, fmt.Errorf("themes: %s: %w", src.origin, err)
	}
	for k := range c {
		if k == "" || strings.ContainsAny(k, " {}") {
			return nil, fmt.Errorf("themes: %s: message key %q: use letters, digits, '.', '_' and '-'", src.origin, k)
		}
	}
	return c, nil
}

// localeOf returns the canonical locale of a catalog's file name ("de.json" → "de", "pt-br.json" → "pt-BR").
func localeOf(file string) (string, error) {
	tag, err := language.Parse(strings.TrimSuffix(file, catalogExt))
	if err != nil {
		return "", fmt.Errorf("the file name must be a BCP 47 language tag such as de.json or pt-BR.json: %w", err)
	}
	return tag.String(), nil
}

// buildCatalogs parses the merged catalog sources (per locale: the default's, then the overlay's keys on top)
// and checks that English exists.
func buildCatalogs(set *fileSet) (map[string]catalog, error) {
	out := map[string]catalog{}
	for _, locale := range slices.Sorted(maps.Keys(set.messages)) {
		merged := catalog{}
		for _, src := range set.messages[locale] {
			c, err := parseCatalog(src)
			if err != nil {
				return nil, err
			}
			maps.Copy(merged, c)
		}
		out[locale] = merged
	}
	if len(out[fallbackLocale]) == 0 {
		return nil, fmt.Errorf("themes: %s/%s%s is missing: English is every message's fallback", messagesDir, fallbackLocale, catalogExt)
	}
	return out, nil
}

// format fills a message's {name} placeholders from name/value pairs. An odd argument count or a name that is not
// a string is an error (a template mistake, caught by the load check).
func format(text string, args []any) (string, error) {
	if len(args)%2 != 0 {
		return "", fmt.Errorf("message arguments come in name/value pairs, got %d values", len(args))
	}
	if len(args) == 0 {
		return text, nil
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i < len(args); i += 2 {
		name, ok := args[i].(string)
		if !ok {
			return "", fmt.Errorf("message argument name %v is not a string", args[i])
		}
		pairs = append(pairs, "{"+name+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(text), nil
}

// Locales returns the locales the theme has a catalog for, sorted, English first: what the host advertises as
// ui_locales_supported (OIDC Discovery 1.0 §3).
func (t *Theme) Locales() []string {
	out := []string{fallbackLocale}
	for _, l := range slices.Sorted(maps.Keys(t.catalogs)) {
		if l != fallbackLocale {
			out = append(out, l)
		}
	}
	return out
}

// MissingMessages lists, per locale other than English, the message keys of the English catalog that the
// locale's catalog lacks (sorted); those messages are shown in English. A locale missing nothing is left out, so
// an empty map means every catalog is complete. For `assentry theme check`.
func (t *Theme) MissingMessages() map[string][]string {
	out := map[string][]string{}
	for locale, c := range t.catalogs {
		if locale == fallbackLocale {
			continue
		}
		var missing []string
		for key := range t.catalogs[fallbackLocale] {
			if _, ok := c[key]; !ok {
				missing = append(missing, key)
			}
		}
		if len(missing) > 0 {
			slices.Sort(missing)
			out[locale] = missing
		}
	}
	return out
}

// message returns the text of key in locale, else in English; ok is false when no catalog has it.
func (t *Theme) message(locale, key string) (string, bool) {
	if text, ok := t.catalogs[locale][key]; ok {
		return text, true
	}
	text, ok := t.catalogs[fallbackLocale][key]
	return text, ok
}
