package guest

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON codec. Parse tokenizes a document in one pass into a flat index of its values (kind, byte range,
// where the next sibling starts), without reflection and with few allocations: a Value is a position in that
// index, strings are decoded only when read. Object and Array build an answer by appending to a byte slice.

// Kind is the JSON type of a Value.
type Kind uint8

// Kinds of Value. A missing member or index is KindMissing, so chains like v.Get("a").Get("b") never fail.
const (
	KindMissing Kind = iota
	KindNull
	KindFalse
	KindTrue
	KindNumber
	KindString
	KindArray
	KindObject
)

// Value is a parsed JSON value: a position in its document's index. The zero Value is missing.
type Value struct {
	d *doc
	i int32
}

// Member is one member of an object, in input order.
type Member struct {
	Key   string
	Value Value
}

// doc is a tokenized document: src and, per value in document order, its token.
type doc struct {
	src  []byte
	toks []token
}

// token is one value: its kind, whether a string has escapes, the byte range of its text (inside the quotes
// for a string) and the index of the token after it and its children.
type token struct {
	kind       Kind
	escaped    bool
	start, end int32
	next       int32
}

func (v Value) tok() *token { return &v.d.toks[v.i] }

// Kind returns v's JSON type.
func (v Value) Kind() Kind {
	if v.d == nil {
		return KindMissing
	}
	return v.tok().kind
}

// Exists reports whether v is present (not KindMissing); a JSON null exists.
func (v Value) Exists() bool { return v.d != nil }

// raw is the bytes of v's text (inside the quotes for a string).
func (v Value) raw() []byte {
	t := v.tok()
	return v.d.src[t.start:t.end]
}

// keyIs reports whether the string token i equals key, without allocating when it has no escape.
func (d *doc) keyIs(i int32, key string) bool {
	t := &d.toks[i]
	if !t.escaped {
		return string(d.src[t.start:t.end]) == key
	}
	return Value{d: d, i: i}.Str() == key
}

// Get returns the member key of an object, or a missing Value.
func (v Value) Get(key string) Value {
	if v.Kind() != KindObject {
		return Value{}
	}
	d := v.d
	for i, stop := v.i+1, d.toks[v.i].next; i < stop; i = d.toks[i+1].next {
		if d.keyIs(i, key) {
			return Value{d: d, i: i + 1}
		}
	}
	return Value{}
}

// Members returns an object's members in input order (nil for another kind).
func (v Value) Members() []Member {
	if v.Kind() != KindObject {
		return nil
	}
	var out []Member
	d := v.d
	for i, stop := v.i+1, d.toks[v.i].next; i < stop; i = d.toks[i+1].next {
		out = append(out, Member{Key: Value{d: d, i: i}.Str(), Value: Value{d: d, i: i + 1}})
	}
	return out
}

// Items returns an array's items (nil for another kind).
func (v Value) Items() []Value {
	if v.Kind() != KindArray {
		return nil
	}
	var out []Value
	d := v.d
	for i, stop := v.i+1, d.toks[v.i].next; i < stop; i = d.toks[i].next {
		out = append(out, Value{d: d, i: i})
	}
	return out
}

// Len is the number of items of an array or members of an object.
func (v Value) Len() int {
	k := v.Kind()
	if k != KindArray && k != KindObject {
		return 0
	}
	n := 0
	d := v.d
	for i, stop := v.i+1, d.toks[v.i].next; i < stop; i = d.toks[i].next {
		n++
		if k == KindObject {
			i++ // the key: count the member once, step over its value below
		}
	}
	return n
}

// Str returns a string's text (escapes decoded, invalid UTF-8 as U+FFFD), or "" for another kind.
func (v Value) Str() string {
	if v.Kind() != KindString {
		return ""
	}
	b := v.raw()
	if !v.tok().escaped {
		if !utf8.Valid(b) {
			return string([]rune(string(b))) // as encoding/json does
		}
		return string(b)
	}
	return unescape(b)
}

// unescape decodes the text of a string that has escapes (already checked by the parser).
func unescape(b []byte) string {
	buf := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		if c != '\\' {
			r, size := utf8.DecodeRune(b[i:])
			buf = utf8.AppendRune(buf, r)
			i += size
			continue
		}
		e := b[i+1]
		i += 2
		switch e {
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r := hex4(b[i:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(utf8.RuneError)
				if i+6 <= len(b) && b[i] == '\\' && b[i+1] == 'u' && isHex4(b[i+2:]) {
					if r2 = utf16.DecodeRune(r, hex4(b[i+2:])); r2 != utf8.RuneError {
						i += 6
					}
				}
				r = r2
			}
			buf = utf8.AppendRune(buf, r)
		default: // " \ /
			buf = append(buf, e)
		}
	}
	return string(buf)
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// Bool reports whether v is true.
func (v Value) Bool() bool { return v.Kind() == KindTrue }

// Int returns a number as an int64 (0 if it is not an integer in range).
func (v Value) Int() int64 {
	if v.Kind() != KindNumber {
		return 0
	}
	s := string(v.raw())
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return 0
		}
		return int64(f)
	}
	return n
}

// Float returns a number as a float64 (0 for another kind).
func (v Value) Float() float64 {
	if v.Kind() != KindNumber {
		return 0
	}
	f, _ := strconv.ParseFloat(string(v.raw()), 64)
	return f
}

// Strings returns the string items of an array (other items are skipped), or nil.
func (v Value) Strings() []string {
	if v.Kind() != KindArray {
		return nil
	}
	d := v.d
	out := make([]string, 0, 4)
	for i, stop := v.i+1, d.toks[v.i].next; i < stop; i = d.toks[i].next {
		if d.toks[i].kind == KindString {
			out = append(out, Value{d: d, i: i}.Str())
		}
	}
	return out
}

// Has reports whether an array holds the string s, without allocating.
func (v Value) Has(s string) bool {
	if v.Kind() != KindArray {
		return false
	}
	d := v.d
	for i, stop := v.i+1, d.toks[v.i].next; i < stop; i = d.toks[i].next {
		if d.toks[i].kind == KindString && d.keyIs(i, s) {
			return true
		}
	}
	return false
}

// AppendJSON appends v as JSON: its text as it was written (a missing value as null).
func (v Value) AppendJSON(b []byte) []byte {
	if v.d == nil {
		return append(b, "null"...)
	}
	t := v.tok()
	if t.kind == KindString {
		return append(b, v.d.src[t.start-1:t.end+1]...) // with its quotes
	}
	return append(b, v.d.src[t.start:t.end]...)
}
