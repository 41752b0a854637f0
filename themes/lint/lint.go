package lint

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/assentry/assentry/themes"
)

// Problem is one finding, located in a file of the theme when it can be.
type Problem struct {
	File      string // the file's path; "" when the problem is the theme's as a whole
	Line, Col int    // 1-based; 0 when unknown
	Msg       string
}

// String formats a problem as compilers do: "dir/login.html:12:5: message".
func (p Problem) String() string {
	switch {
	case p.File == "":
		return p.Msg
	case p.Line == 0:
		return p.File + ": " + p.Msg
	case p.Col == 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// Result is what Check found.
type Result struct {
	Problems []Problem
	Pages    []string // the pages of the theme, when it loaded
}

// Check checks the theme directory dir (overlaid on the embedded default, as the server loads it). The error is
// for a directory that cannot be read at all; everything wrong with the theme is a Problem.
func Check(dir string) (*Result, error) {
	files, err := readFiles(dir)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		file := filepath.Join(dir, filepath.FromSlash(name))
		switch {
		case path.Ext(name) == ".html" && !strings.HasPrefix(name, "static/"):
			res.Problems = append(res.Problems, cspTemplate(file, files[name])...)
		case path.Ext(name) == ".css":
			res.Problems = append(res.Problems, cspStylesheet(file, files[name])...)
		}
	}
	t, err := themes.Load(dir)
	if err != nil {
		// Template errors and missing templates: themes.Load names the file, line and column of each.
		for _, e := range flatten(err) {
			res.Problems = append(res.Problems, Problem{Msg: e.Error()})
		}
	} else {
		res.Pages = t.Names()
		for _, c := range checkers() {
			res.Problems = append(res.Problems, c(dir, files, t)...)
		}
	}
	slices.SortStableFunc(res.Problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return res, nil
}

// checker is one check of a theme that loaded, given its directory, its own files (slash paths → contents) and
// the loaded theme. Message catalogs (translations) add their check, missing keys included, to checkers.
type checker func(dir string, files map[string]string, t *themes.Theme) []Problem

func checkers() []checker {
	return []checker{checkAllForms, checkMessages}
}

// checkAllForms runs checkForms on every page the server reads a form of, and on extra pages standing in for one
// (consent-acme for consent). A page from the default theme is named by its embedded path.
func checkAllForms(dir string, files map[string]string, t *themes.Theme) []Problem {
	var out []Problem
	for _, page := range t.Names() {
		base := page
		if requirements(page) == nil {
			base = themes.BaseOf(page)
		}
		if base == "" {
			continue
		}
		file, line := "(default theme) "+page+".html", 0
		if src, ok := files[page+".html"]; ok {
			file = filepath.Join(dir, page+".html")
			if i := strings.Index(strings.ToLower(src), "<form"); i >= 0 {
				line, _ = position(src, i)
			}
		}
		out = append(out, checkForms(t, page, base, file, line)...)
	}
	return out
}

// readFiles reads what themes.Load reads of dir: the .html files at the top, everything under static/ and the
// catalogs directly in messages/, hidden names excepted. Symlinks and other refusals are left to themes.Load,
// which reports them.
func readFiles(dir string) (map[string]string, error) {
	if dir == "" {
		return map[string]string{}, nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	files := map[string]string{}
	err = fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") || d.IsDir() && p != "static" && p != "messages" && !strings.HasPrefix(p, "static/") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if strings.HasPrefix(p, "static/") || !strings.Contains(p, "/") && path.Ext(p) == ".html" || isCatalog(p) {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
			if err != nil {
				return err
			}
			files[p] = string(data)
		}
		return nil
	})
	return files, err
}

// isCatalog reports whether p is a message catalog as themes.Load reads it: a .json file directly in messages/.
func isCatalog(p string) bool {
	dir, name := path.Split(p)
	return dir == "messages/" && path.Ext(name) == ".json"
}

// flatten splits the errors themes.Load joins, one per broken file.
func flatten(err error) []error {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
