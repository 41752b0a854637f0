package config

import (
	"reflect"
	"strings"
)

// yamlField is one key of a struct as the YAML decoder sees it: inline structs are flattened into their parent,
// so Config's fields and the inlined Host's fields appear side by side.
type yamlField struct {
	name  string
	index []int // reflect index path from the outer struct, through inlined structs
	typ   reflect.Type
}

// fieldsOf lists the YAML keys of struct type t in declaration order. It is the single place that interprets
// yaml tags, shared by the unknown-key walker, the environment mapping and the host merge, so a new field
// with a yaml tag works everywhere without further code.
func fieldsOf(t reflect.Type) []yamlField {
	var out []yamlField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") {
			for _, inner := range fieldsOf(f.Type) {
				inner.index = append([]int{i}, inner.index...)
				out = append(out, inner)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name) // yaml.v3's default key
		}
		out = append(out, yamlField{name: name, index: []int{i}, typ: f.Type})
	}
	return out
}

// fieldByName finds the YAML key name among the fields of struct type t.
func fieldByName(t reflect.Type, name string) (yamlField, bool) {
	for _, f := range fieldsOf(t) {
		if f.name == name {
			return f, true
		}
	}
	return yamlField{}, false
}

// fieldNames lists the YAML keys of struct type t (for "did you mean" suggestions).
func fieldNames(t reflect.Type) []string {
	fs := fieldsOf(t)
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return names
}

// topLevelOnly reports whether key is a Config key that does not belong to a host (listen, data_dir, ...).
func topLevelOnly(key string) bool {
	if _, ok := fieldByName(reflect.TypeFor[Host](), key); ok {
		return false
	}
	_, ok := fieldByName(reflect.TypeFor[Config](), key)
	return ok
}

// suggest returns the candidate closest to word when it is close enough to be a likely typo, else "".
func suggest(word string, candidates []string) string {
	best, bestDist := "", 3 // at most two edits away
	if len(word) <= 4 {
		bestDist = 2
	}
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(word), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b: insertions, deletions,
// substitutions and transpositions of adjacent bytes (keys are ASCII), so "kye" is one edit from "key".
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
