package config

import (
	"encoding"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Redacted replaces every secret in the output of Show.
const Redacted = "<redacted>"

// Shown is the effective configuration as `assentry config show` prints it: Tree is a YAML mapping of the
// Settings (each host under hosts) with every secret replaced by Redacted and each value's source as a line
// comment; Sources holds the same sources by output path ("hosts[0].issuer"), for the JSON form.
type Shown struct {
	Tree    *yaml.Node
	Sources map[string]string
}

// Show renders s with the sources recorded in src. Names are the Settings fields in snake case, which are the
// configuration keys except where a value is resolved from another key (hsts_max_age from hsts.max_age,
// login_per_ip from rate_limits.login_per_ip, store sizes in bytes from store.*_mib); showKeys maps those.
func Show(s *Settings, src *Sources) *Shown {
	w := &shower{src: src, out: map[string]string{}, host: -1}
	return &Shown{Tree: w.value(reflect.ValueOf(*s), "", ""), Sources: w.out}
}

// showKeys maps the output path of a Settings value (without its host prefix) to the configuration key its
// source is looked up under, where the two differ. A field not listed uses its own output path.
var showKeys = map[string]string{
	"store.mem_table_size":      "store.memtable_mib",
	"store.block_cache_size":    "store.block_cache_mib",
	"store.index_cache_size":    "store.index_cache_mib",
	"hsts_max_age":              "hsts.max_age",
	"registration.enabled":      "registration.key",
	"roles":                     "roles.names",
	"default_role":              "roles.default",
	"login_per_ip":              "rate_limits.login_per_ip",
	"login_per_user":            "rate_limits.login_per_username",
	"register_per_ip":           "rate_limits.register_per_ip",
	"push_per_ip":               "rate_limits.par_per_ip",
	"device_code_per_ip":        "rate_limits.device_code_per_ip",
	"device_code_per_browser":   "rate_limits.device_code_per_browser",
	"client_auth_per_client_ip": "rate_limits.client_auth_failures_per_client_ip",
	"client_auth_per_ip":        "rate_limits.client_auth_failures_per_ip",
	"dpop_proofs_per_ip":        "rate_limits.dpop_proofs_per_ip",
	"key_encryption_key_bytes":  "", // not shown: the key decoded
	"issuer_url":                "", // not shown: the issuer parsed
}

// secretKeys are the output paths (list indexes as "[]") whose values are secrets: shown as Redacted when set.
// A client's client_secret_sha256 is a hash, but of a secret that may be guessable from it.
var secretKeys = map[string]bool{
	"registration.key":                  true,
	"registration.initial_access_token": true,
	"key_encryption_key":                true,
	"clients[].client_secret_sha256":    true,
	"store.dsn":                         true, // may hold the database password
}

// shower walks Settings by reflection, so a new field is shown without code here (and a new secret must be
// added to secretKeys: TestShowRedactsEverySecret lists the fields it expects).
type shower struct {
	src  *Sources
	out  map[string]string
	host int // index of the host being shown; -1 at the top level
}

// value renders v; path is its output path with host prefix ("hosts[0].issuer"), key its path within the host
// or the top level with list indexes as "[]" ("clients[].client_id"), for showKeys and secretKeys.
func (w *shower) value(v reflect.Value, path, key string) *yaml.Node {
	if secretKeys[key] && !v.IsZero() {
		return scalarNode(Redacted)
	}
	if tm, ok := v.Interface().(encoding.TextMarshaler); ok && v.Kind() != reflect.Struct {
		b, _ := tm.MarshalText()
		return scalarNode(string(b))
	}
	switch v.Kind() {
	case reflect.Struct:
		return w.mapping(v, path, key)
	case reflect.Slice:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		scalars := true
		for i := 0; i < v.Len(); i++ {
			item := w.value(v.Index(i), fmt.Sprintf("%s[%d]", path, i), key+"[]")
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
			val := w.value(v.MapIndex(k), join(path, name), join(key, name))
			if key != "" && !strings.Contains(key, "[]") && val.Kind == yaml.ScalarNode {
				val.LineComment = w.record(join(path, name), join(key, name))
			}
			m.Content = append(m.Content, scalarNode(name), val)
		}
		return m
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
		}
		return w.value(v.Elem(), path, key)
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

// mapping renders a struct: by its yaml tags when it has them (Client, Policy, Bucket, ...), else by its field
// names in snake case (the Settings types). Each value of a Settings field gets its source.
func (w *shower) mapping(v reflect.Value, path, key string) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	t := v.Type()
	tagged := hasYAMLTags(t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := snakeCase(f.Name)
		if tagged {
			if name, _, _ = strings.Cut(f.Tag.Get("yaml"), ","); name == "" || name == "-" {
				continue
			}
		}
		fkey := join(key, name)
		if k, ok := showKeys[fkey]; ok && k == "" && !secretKeys[fkey] {
			continue
		}
		fpath := join(path, name)
		if t == reflect.TypeFor[Settings]() && name == "hosts" {
			m.Content = append(m.Content, scalarNode(name), w.hosts(v.Field(i)))
			continue
		}
		k, val := scalarNode(name), w.value(v.Field(i), fpath, fkey)
		if kind := derefKind(f.Type); !strings.Contains(key, "[]") && kind != reflect.Struct && kind != reflect.Map {
			src := w.record(fpath, fkey)
			if val.Kind == yaml.ScalarNode || val.Style == yaml.FlowStyle {
				val.LineComment = src
			} else {
				k.LineComment = src // a block list: the comment goes after its key
			}
		}
		m.Content = append(m.Content, k, val)
	}
	return m
}

// hosts renders Settings.Hosts, each host's sources looked up under its own index.
func (w *shower) hosts(v reflect.Value) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for i := 0; i < v.Len(); i++ {
		w.host = i
		seq.Content = append(seq.Content, w.value(v.Index(i), fmt.Sprintf("hosts[%d]", i), ""))
	}
	w.host = -1
	return seq
}

// record looks up and records the source of the value at path (key as for value).
func (w *shower) record(path, key string) string {
	src := w.source(key)
	w.out[path] = src
	return src
}

// source is where the value at key (an output path within the host or top level) came from: the configuration
// key is key, or what showKeys maps it or its nearest parent to.
func (w *shower) source(key string) string {
	for p := key; p != ""; p = parentKey(p) {
		if k, ok := showKeys[p]; ok && k != "" {
			key = k + strings.TrimPrefix(key, p)
			break
		}
	}
	if w.host < 0 {
		return w.src.Top(key)
	}
	return w.src.Host(w.host, key)
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

func hasYAMLTags(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if _, ok := t.Field(i).Tag.Lookup("yaml"); ok {
			return true
		}
	}
	return false
}

func scalarNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// snakeCase turns a Go field name into a configuration key: AccessTokenTTL → access_token_ttl,
// IDTokenSigningAlg → id_token_signing_alg, OOBRequirePKCE → oob_require_pkce.
func snakeCase(name string) string {
	r := []rune(name)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prevLower := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || (unicode.IsUpper(r[i-1]) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
