package lint

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/assentry/assentry/themes"
)

// checkMessages reports, per language of the theme, the message keys its catalogs lack: a page in that language
// then shows those messages in English (themes.Theme.MissingMessages). The problem names the theme's own catalog
// file when it has one, else the file to add.
func checkMessages(dir string, files map[string]string, t *themes.Theme) []Problem {
	missing := t.MissingMessages()
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
		name := "messages/" + locale + ".json"
		file := filepath.Join(dir, filepath.FromSlash(name))
		if _, ok := files[name]; !ok {
			file = "(default theme) " + name
		}
		out = append(out, Problem{File: file, Msg: fmt.Sprintf("%d message(s) missing in %s, shown in English: %s",
			len(keys), locale, strings.Join(keys, ", "))})
	}
	return out
}
