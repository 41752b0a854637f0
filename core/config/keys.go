package config

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	typeOfConfig      = reflect.TypeFor[Config]()
	typeOfHost        = reflect.TypeFor[Host]()
	typeOfUnmarshaler = reflect.TypeFor[yaml.Unmarshaler]()
)

// keyWalker walks a YAML node tree against the Go type it will be decoded into, reporting every unknown key
// with its full path ("hosts[1].registration.kye") and remembering which key path each line belongs to, so the
// decoder's line-numbered type errors can be given a path too.
type keyWalker struct {
	r       *report
	lines   map[int]string // line → first key path seen on it
	scalars map[int][]scalarAt
	unknown int      // unknown keys reported
	src     *Sources // the line of every known key, for `assentry config show`; nil: not recorded
}

// scalarAt is a scalar value and its key path, to tell apart the keys of a one-line flow mapping.
type scalarAt struct{ value, path string }

// pathAt returns the key path and full text of the scalar value on line (yaml.v3 cuts long values short with
// "..." in its messages), else the first key path of the line and "".
func (w *keyWalker) pathAt(line int, value string) (string, string) {
	prefix, cut := strings.CutSuffix(value, "...")
	for _, s := range w.scalars[line] {
		if value != "" && (s.value == value || (cut && strings.HasPrefix(s.value, prefix))) {
			return s.path, s.value
		}
	}
	return w.lines[line], ""
}

// maxDepth bounds the walk (aliases could otherwise make it loop); real configs are a handful of levels deep.
const maxDepth = 32

func (w *keyWalker) walk(n *yaml.Node, t reflect.Type, path string, depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			w.walk(c, t, path, depth+1)
		}
		return
	case yaml.AliasNode:
		w.walk(n.Alias, t, path, depth+1)
		return
	}
	if n.Kind == yaml.ScalarNode {
		w.mark(n.Line, path)
		if w.scalars == nil {
			w.scalars = map[int][]scalarAt{}
		}
		w.scalars[n.Line] = append(w.scalars[n.Line], scalarAt{n.Value, path})
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(typeOfUnmarshaler) {
		return // a scalar with its own parser (Duration)
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind == yaml.MappingNode {
			w.mapping(n, t, path, depth)
		}
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for i, c := range n.Content {
				w.walk(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), depth+1)
			}
		}
	case reflect.Map:
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				p := join(path, k.Value)
				w.mark(k.Line, p)
				w.src.setFile(p, k.Line)
				w.walk(n.Content[i+1], t.Elem(), p, depth+1)
			}
		}
	}
	// Scalars, and free-form values (policy config: map[string]any), have no keys to check.
}

// mapping checks the keys of a mapping decoded into struct type t.
func (w *keyWalker) mapping(n *yaml.Node, t reflect.Type, path string, depth int) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.ShortTag() == "!!merge" { // YAML merge key: the merged mapping(s) hold keys of t
			if v.Kind == yaml.SequenceNode {
				for _, c := range v.Content {
					w.walk(c, t, path, depth+1)
				}
			} else {
				w.walk(v, t, path, depth+1)
			}
			continue
		}
		p := join(path, k.Value)
		w.mark(k.Line, p)
		f, ok := fieldByName(t, k.Value)
		if !ok {
			w.unknown++
			w.r.errorf(p, "", w.unknownMessage(t, k))
			continue
		}
		w.src.setFile(p, k.Line)
		w.walk(v, f.typ, p, depth+1)
	}
}

func (w *keyWalker) unknownMessage(t reflect.Type, k *yaml.Node) string {
	if t == typeOfHost && topLevelOnly(k.Value) {
		return fmt.Sprintf("unknown key in a host: %s is set at the top level only (line %d)", k.Value, k.Line)
	}
	if s := suggest(k.Value, fieldNames(t)); s != "" {
		return fmt.Sprintf("unknown key (line %d; did you mean %s?)", k.Line, s)
	}
	return fmt.Sprintf("unknown key (line %d)", k.Line)
}

func (w *keyWalker) mark(line int, path string) {
	if _, ok := w.lines[line]; !ok && line > 0 && path != "" {
		w.lines[line] = path
	}
}

// join appends key to a dotted key path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
