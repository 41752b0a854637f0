package lua

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/assentry/assentry/policy"
	glua "github.com/yuin/gopher-lua"
)

// A schema is the JSON shape of a Go type, walked when a Lua value is converted into a decision.
type schema struct {
	kind   jsonKind
	fields []field // object
	elem   *schema // array, map
}

type field struct {
	name string
	s    *schema
}

type jsonKind uint8

const (
	kindAny jsonKind = iota
	kindString
	kindBool
	kindNumber
	kindArray
	kindObject // a struct: known members, others ignored
	kindMap    // string keys, values of elem
)

func schemaOf(t reflect.Type) *schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return &schema{kind: kindString}
	case reflect.Bool:
		return &schema{kind: kindBool}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return &schema{kind: kindNumber}
	case reflect.Slice, reflect.Array:
		return &schema{kind: kindArray, elem: schemaOf(t.Elem())}
	case reflect.Map:
		return &schema{kind: kindMap, elem: schemaOf(t.Elem())}
	case reflect.Struct:
		s := &schema{kind: kindObject}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			s.fields = append(s.fields, field{name: name, s: schemaOf(f.Type)})
		}
		return s
	}
	return &schema{kind: kindAny}
}

// schemas are the decision schemas by policy.HookIndex, and that of a declared error.
var schemas = sync.OnceValue(func() (out struct {
	hooks [5]*schema
	err   *schema
}) {
	for i, h := range policy.Hooks {
		out.hooks[i] = schemaOf(reflect.TypeOf(policy.NewOutput(h)))
	}
	out.err = schemaOf(reflect.TypeOf(policy.PluginError{}))
	return out
})

// encodeOutput converts a hook's return value into its JSON decision, or into {"error": {...}} when the table
// has an "error" member that is a table (a declared error: outcome 2 of docs/policy-abi.md, "Outcomes").
func encodeOutput(v glua.LValue, hook int, maxBytes int) ([]byte, error) {
	t, ok := v.(*glua.LTable)
	if !ok {
		return nil, fmt.Errorf("the hook must return a table, not a %s", v.Type())
	}
	sc := schemas()
	e := &encoder{buf: make([]byte, 0, 256), max: maxBytes}
	var err error
	if et, ok := t.RawGetString("error").(*glua.LTable); ok {
		e.buf = append(e.buf, `{"error":`...)
		if err = e.value(et, sc.err, 1); err == nil {
			e.buf = append(e.buf, '}')
		}
	} else {
		err = e.value(t, sc.hooks[hook], 0)
	}
	if err == nil && len(e.buf) > maxBytes {
		err = errTooLarge(maxBytes)
	}
	if err != nil {
		return nil, err
	}
	return e.buf, nil
}

type encoder struct {
	buf []byte
	max int
}

func errTooLarge(n int) error { return fmt.Errorf("the decision is larger than %d bytes", n) }

// pathError locates a conversion error; the path is built while unwinding.
type pathError struct {
	path string
	msg  string
}

func (e *pathError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return e.path + ": " + e.msg
}

func at(err error, key string) error {
	pe, ok := err.(*pathError)
	if !ok {
		return err
	}
	switch {
	case pe.path == "":
		pe.path = key
	case pe.path[0] == '[':
		pe.path = key + pe.path
	default:
		pe.path = key + "." + pe.path
	}
	return pe
}

func wrong(want string, v glua.LValue) error {
	got := v.Type().String()
	if isNull(v) {
		got = "json.null"
	}
	if t, ok := v.(*glua.LTable); ok {
		if isSequence(t) {
			got = "an array"
		} else {
			got = "an object"
		}
	}
	return &pathError{msg: "want " + want + ", got " + got}
}

func (e *encoder) value(v glua.LValue, s *schema, depth int) error {
	if depth > maxDepth {
		return &pathError{msg: "nested too deeply (or a table contains itself)"}
	}
	if len(e.buf) > e.max {
		return errTooLarge(e.max)
	}
	switch s.kind {
	case kindString:
		str, ok := v.(glua.LString)
		if !ok {
			return wrong("a string", v)
		}
		e.buf = appendString(e.buf, string(str))
	case kindBool:
		b, ok := v.(glua.LBool)
		if !ok {
			return wrong("a boolean", v)
		}
		e.buf = strconv.AppendBool(e.buf, bool(b))
	case kindNumber:
		n, ok := v.(glua.LNumber)
		if !ok {
			return wrong("a number", v)
		}
		return e.number(n)
	case kindArray:
		t, ok := v.(*glua.LTable)
		if !ok || (!isSequence(t) && !isEmpty(t)) {
			return wrong("an array", v)
		}
		return e.array(t, s.elem, depth)
	case kindObject:
		t, ok := v.(*glua.LTable)
		if !ok || (isSequence(t) && !isEmpty(t)) {
			return wrong("an object", v)
		}
		return e.object(t, s, depth)
	case kindMap:
		t, ok := v.(*glua.LTable)
		if !ok || (isSequence(t) && !isEmpty(t)) {
			return wrong("an object", v)
		}
		return e.mapping(t, s.elem, depth)
	default:
		return e.any(v, depth)
	}
	return nil
}

func (e *encoder) number(n glua.LNumber) error {
	f := float64(n)
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return &pathError{msg: "a number must be finite, got " + n.String()}
	case f == math.Trunc(f) && math.Abs(f) < 1<<53:
		e.buf = strconv.AppendInt(e.buf, int64(f), 10)
	case math.Abs(f) < 1e21 && math.Abs(f) >= 1e-6:
		e.buf = strconv.AppendFloat(e.buf, f, 'f', -1, 64) // as encoding/json does
	default:
		e.buf = strconv.AppendFloat(e.buf, f, 'e', -1, 64)
	}
	return nil
}

func (e *encoder) array(t *glua.LTable, elem *schema, depth int) error {
	e.buf = append(e.buf, '[')
	for i, n := 1, t.Len(); i <= n; i++ {
		if i > 1 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(t.RawGetInt(i), elem, depth+1); err != nil {
			return at(err, "["+strconv.Itoa(i-1)+"]")
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

func (e *encoder) object(t *glua.LTable, s *schema, depth int) error {
	e.buf = append(e.buf, '{')
	first := true
	for _, f := range s.fields {
		v := t.RawGetString(f.name)
		if v == glua.LNil || isNull(v) { // a member of the decision's own shape: json.null is absent
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = appendString(e.buf, f.name)
		e.buf = append(e.buf, ':')
		if err := e.value(v, f.s, depth+1); err != nil {
			return at(err, f.name)
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

func (e *encoder) mapping(t *glua.LTable, elem *schema, depth int) error {
	keys, err := stringKeys(t)
	if err != nil {
		return err
	}
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, k)
		e.buf = append(e.buf, ':')
		if err := e.value(t.RawGetString(k), elem, depth+1); err != nil {
			return at(err, k)
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// any converts a value of a free-form member (claims, metadata, extra): a sequence becomes an array, a table
// with string keys an object, and an empty table {} (as Lua JSON libraries do by default); json.null is null.
func (e *encoder) any(v glua.LValue, depth int) error {
	switch x := v.(type) {
	case glua.LString:
		e.buf = appendString(e.buf, string(x))
	case glua.LBool:
		e.buf = strconv.AppendBool(e.buf, bool(x))
	case glua.LNumber:
		return e.number(x)
	case *glua.LTable:
		if isSequence(x) {
			return e.array(x, &schema{kind: kindAny}, depth)
		}
		return e.mapping(x, &schema{kind: kindAny}, depth)
	default:
		if v == glua.LNil || isNull(v) {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return &pathError{msg: "a " + v.Type().String() + " cannot be converted to JSON"}
	}
	return nil
}

// isSequence reports whether t is a non-empty array: keys exactly 1..n.
func isSequence(t *glua.LTable) bool {
	n := t.Len()
	if n == 0 {
		return false
	}
	count := 0
	t.ForEach(func(glua.LValue, glua.LValue) { count++ })
	return count == n
}

func isEmpty(t *glua.LTable) bool {
	k, _ := t.Next(glua.LNil)
	return k == glua.LNil
}

// stringKeys returns the keys of t, sorted, or an error when one is not a string.
func stringKeys(t *glua.LTable) ([]string, error) {
	var keys []string
	var bad glua.LValue
	t.ForEach(func(k, _ glua.LValue) {
		if s, ok := k.(glua.LString); ok {
			keys = append(keys, string(s))
		} else if bad == nil {
			bad = k
		}
	})
	if bad != nil {
		return nil, &pathError{msg: "an object's keys must be strings, got the key " + bad.String() +
			" (a table mixing array and object members cannot be converted to JSON)"}
	}
	slices.Sort(keys)
	return keys, nil
}

// appendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD, as encoding/json does.
func appendString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
