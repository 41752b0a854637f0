package guest

import (
	"strconv"
	"unicode/utf8"
)

// The encoding half of the JSON codec: strings escaped as JSON, objects built member by member.

// AppendString appends s as a JSON string: quotes, backslashes and control characters escaped, invalid
// UTF-8 replaced by U+FFFD.
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Object builds a JSON object member by member; the zero value is an empty object.
type Object struct{ b []byte }

func (o *Object) key(k string) {
	if len(o.b) == 0 {
		o.b = append(o.b, '{')
	} else {
		o.b = append(o.b, ',')
	}
	o.b = AppendString(o.b, k)
	o.b = append(o.b, ':')
}

// Str adds a string member.
func (o *Object) Str(k, v string) *Object { o.key(k); o.b = AppendString(o.b, v); return o }

// Bool adds a boolean member.
func (o *Object) Bool(k string, v bool) *Object {
	o.key(k)
	if v {
		o.b = append(o.b, "true"...)
	} else {
		o.b = append(o.b, "false"...)
	}
	return o
}

// Int adds an integer member.
func (o *Object) Int(k string, v int64) *Object {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
	return o
}

// Strings adds an array of strings (an empty array for nil).
func (o *Object) Strings(k string, v []string) *Object {
	o.key(k)
	o.b = appendStrings(o.b, v)
	return o
}

// Value adds a parsed value.
func (o *Object) Value(k string, v Value) *Object { o.key(k); o.b = v.AppendJSON(o.b); return o }

// Object adds a nested object.
func (o *Object) Object(k string, v *Object) *Object { o.key(k); o.b = v.AppendJSON(o.b); return o }

// Null adds a member whose value is null: in a metadata_patch it removes the member, in claims the claim an
// earlier answer set (docs/policy-abi.md "Hooks").
func (o *Object) Null(k string) *Object { o.key(k); o.b = append(o.b, "null"...); return o }

// Raw adds a member whose value is already JSON.
func (o *Object) Raw(k string, json []byte) *Object { o.key(k); o.b = append(o.b, json...); return o }

// Len reports whether members were added (0 for an empty object).
func (o *Object) Len() int { return len(o.b) }

// AppendJSON appends the object.
func (o *Object) AppendJSON(b []byte) []byte {
	if len(o.b) == 0 {
		return append(b, '{', '}')
	}
	b = append(b, o.b...)
	return append(b, '}')
}

// Bytes returns the object as JSON.
func (o *Object) Bytes() []byte { return o.AppendJSON(nil) }

func appendStrings(b []byte, v []string) []byte {
	b = append(b, '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, s)
	}
	return append(b, ']')
}
