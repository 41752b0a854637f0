package lint

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/assentry/assentry/themes"
	"golang.org/x/text/language"
)

// checkMessages reports, per language of the theme, the message keys its catalogs lack: a page in that language
// then shows those messages in English (themes.Theme.MissingMessages). The problem names the theme's own catalog
// file when it has one, else the file to add.
func checkMessages(dir string, files map[string]string, t *themes.Theme) []Problem {
	missing := t.MissingMessages()
	own := catalogs(files)
	var out []Problem
	for _, locale := range slices.Sorted(func(yield func(string) bool) {
		for l := range missing {
			if !yield(l) {
				return
			}
		}
	}) {
		keys := missing[locale]
		if len(keys) == 0 {
			continue
		}
		file := "(default theme) messages/" + locale + ".json"
		if name, ok := own[locale]; ok {
			file = filepath.Join(dir, filepath.FromSlash(name))
		}
		out = append(out, Problem{File: file, Msg: fmt.Sprintf("%d message(s) missing in %s, shown in English: %s",
			len(keys), locale, strings.Join(keys, ", "))})
	}
	return out
}

// catalogs maps each locale of the theme's own catalogs to its file, under the canonical tag themes.Load files it
// under (messages/pt-br.json is pt-BR's).
func catalogs(files map[string]string) map[string]string {
	out := map[string]string{}
	for name := range files {
		if !isCatalog(name) {
			continue
		}
		if tag, err := language.Parse(strings.TrimSuffix(path.Base(name), ".json")); err == nil {
			out[tag.String()] = name
		}
	}
	return out
}
