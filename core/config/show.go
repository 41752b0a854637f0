package config

import (
	"encoding"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Redacted replaces every secret in the output of Show.
const Redacted = "<redacted>"

// Shown is the effective configuration as `assentry config show` prints it: Tree is a YAML mapping with the keys
// and nesting of the configuration file (fileForm), every secret replaced by Redacted and each value's source as
// a line comment; Sources holds the same sources by key path ("hosts[0].rate_limits.login_per_ip.burst", or
// "password_policy.min_length" for a file without hosts), for the JSON form.
type Shown struct {
	Tree    *yaml.Node
	Sources map[string]string
}

// Show renders s with the sources recorded in src. The keys are the file's, read from the yaml tags of its types
// by fieldsOf (the loader's own reading of them), so the output loads again as a file: only the secrets must be
// filled in (or set by ASSENTRY_* variables, which win over the file).
func Show(s *Settings, src *Sources) *Shown {
	multi := src != nil && src.hosts
	w := &shower{src: src, out: map[string]string{}, host: -1}
	cfg := fileForm(s, multi)
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	v := reflect.ValueOf(cfg).Elem()
	for _, f := range fieldsOf(typeOfConfig) {
		switch {
		case f.name == "hosts":
			if multi {
				root.Content = append(root.Content, scalarNode("hosts"), w.hosts(v.FieldByIndex(f.index)))
			}
			continue
		case multi && !topLevelOnly(f.name):
			continue // each host shows its own value, inherited or not
		}
		w.field(root, v.FieldByIndex(f.index), f.name, f.name, "")
	}
	return &Shown{Tree: root, Sources: w.out}
}

// secretKeys are the key paths (list indexes as "[]") whose values are secrets: shown as Redacted when set.
// A client's client_secret_sha256 is a hash, but of a secret that may be guessable from it.
var secretKeys = map[string]bool{
	"registration.key":                  true,
	"registration.initial_access_token": true,
	"key_encryption_key":                true,
	"clients[].client_secret_sha256":    true,
	"store.dsn":                         true, // may hold the database password
}

// pluginSecret tells a member of a plugin's free-form config (policies[].config, handed to its init) whose name
// says it holds a secret: a webhook token, an API key, a password. Such a plugin's configuration is its own, so
// the name is all there is to go by.
func pluginSecret(key string) bool {
	if !strings.HasPrefix(indexless(key), "policies[].config.") {
		return false
	}
	name := strings.ToLower(lastKey(key))
	for _, w := range []string{"secret", "token", "password", "passwd", "key", "credential", "dsn"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// shower walks the file form by reflection, so a new key is shown without code here (and a new secret must be
// added to secretKeys: TestShowRedactsEverySecret lists the keys it expects).
type shower struct {
	src  *Sources
	out  map[string]string
	host int // index of the host being shown; -1 at the top level
}

// field appends key: value to the mapping m, with the value's source. path is the output path ("hosts[0].issuer"),
// key the key path within the host or top level ("clients[0].client_id"); fixed, when not "", is the source of
// a free-form value's parent (policy config), which its entries share. A key left out (nil) is not shown.
func (w *shower) field(m *yaml.Node, v reflect.Value, path, key, fixed string) {
	if isNil(v) {
		return
	}
	k, val := scalarNode(lastKey(key)), w.value(v, path, key, fixed)
	if kind := derefKind(v.Type()); kind != reflect.Struct && kind != reflect.Map {
		src := w.record(path, key, fixed)
		if val.Kind == yaml.ScalarNode || val.Style == yaml.FlowStyle {
			val.LineComment = src
		} else {
			k.LineComment = src // a block list: the comment goes after its key
		}
	}
	m.Content = append(m.Content, k, val)
}

// value renders v (see field for path, key and fixed).
func (w *shower) value(v reflect.Value, path, key, fixed string) *yaml.Node {
	if (secretKeys[indexless(key)] || pluginSecret(key)) && !v.IsZero() {
		return scalarNode(Redacted)
	}
	if v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
		}
		if v.Kind() == reflect.Interface && fixed == "" {
			fixed = w.source(key) // a free-form value: what is inside it was set with it
		}
		return w.value(v.Elem(), path, key, fixed)
	}
	if tm, ok := v.Interface().(encoding.TextMarshaler); ok && v.Kind() != reflect.Struct {
		b, _ := tm.MarshalText()
		return scalarNode(string(b))
	}
	switch v.Kind() {
	case reflect.Struct:
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, f := range fieldsOf(v.Type()) {
			w.field(m, v.FieldByIndex(f.index), join(path, f.name), join(key, f.name), fixed)
		}
		return m
	case reflect.Slice:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		scalars := true
		for i := 0; i < v.Len(); i++ {
			item := w.value(v.Index(i), fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("%s[%d]", key, i), fixed)
			scalars = scalars && item.Kind == yaml.ScalarNode
			seq.Content = append(seq.Content, item)
		}
		if scalars {
			seq.Style = yaml.FlowStyle
		}
		return seq
	case reflect.Map:
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			name := fmt.Sprint(k)
			val := w.value(v.MapIndex(k), join(path, name), join(key, name), fixed)
			if val.Kind == yaml.ScalarNode || val.Style == yaml.FlowStyle {
				val.LineComment = w.record(join(path, name), join(key, name), fixed)
			}
			m.Content = append(m.Content, scalarNode(name), val)
		}
		return m
	}
	if d, ok := v.Interface().(time.Duration); ok {
		return scalarNode(d.String())
	}
	n := &yaml.Node{}
	if err := n.Encode(v.Interface()); err != nil {
		return scalarNode(fmt.Sprint(v.Interface()))
	}
	return n
}

// hosts renders the hosts list, each host's sources looked up under its own index.
func (w *shower) hosts(v reflect.Value) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for i := 0; i < v.Len(); i++ {
		w.host = i
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		h := v.Index(i)
		for _, f := range fieldsOf(typeOfHost) {
			w.field(m, h.FieldByIndex(f.index), fmt.Sprintf("hosts[%d].%s", i, f.name), f.name, "")
		}
		seq.Content = append(seq.Content, m)
	}
	w.host = -1
	return seq
}

// record looks up and records the source of the value at path (key and fixed as for field).
func (w *shower) record(path, key, fixed string) string {
	src := fixed
	if src == "" {
		src = w.source(key)
	}
	w.out[path] = src
	return src
}

// source is where the value at key (a key path within the host or the top level) came from.
func (w *shower) source(key string) string {
	if w.src == nil {
		return SourceDefault
	}
	if w.host < 0 {
		return w.src.Top(key)
	}
	return w.src.Host(w.host, key)
}

func isNil(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	}
	return false
}

// lastKey is the last key of a key path: "login_per_ip" of "rate_limits.login_per_ip".
func lastKey(key string) string {
	return key[strings.LastIndex(key, ".")+1:]
}

// indexless writes a key path's list indexes as "[]": "clients[0].client_id" → "clients[].client_id".
func indexless(key string) string {
	var b strings.Builder
	skip := false
	for _, c := range key {
		switch {
		case c == '[':
			skip = true
			b.WriteString("[]")
		case c == ']':
			skip = false
		case !skip:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func derefKind(t reflect.Type) reflect.Kind {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(typeOfUnmarshaler) {
		return reflect.String // a scalar with its own syntax (Duration)
	}
	return t.Kind()
}

func scalarNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}
