package lua

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	glua "github.com/yuin/gopher-lua"
)

// maxDepth bounds the nesting of inputs and outputs.
const maxDepth = 64

// decode converts a JSON document into Lua values directly (no intermediate Go values): objects and arrays
// become tables, arrays as 1-based sequences; null becomes the state's json.null, so that a member that is null
// is told from one that is absent and an array keeps its length. A decoder kept by a state reuses its scratch
// stacks.
func (d *jsonDecoder) decode(L *glua.LState, data []byte) (glua.LValue, error) {
	d.L, d.b, d.i = L, data, 0
	defer func() { d.L, d.b = nil, nil }()
	v, err := d.value(0)
	if err != nil {
		return nil, fmt.Errorf("input is not valid JSON: %w (at byte %d)", err, d.i)
	}
	if d.ws(); d.i != len(d.b) {
		return nil, fmt.Errorf("input is not valid JSON: data after the value (at byte %d)", d.i)
	}
	return v, nil
}

type jsonDecoder struct {
	L *glua.LState
	b []byte
	i int
	// Members and elements are collected on these stacks first, so that each table is made with its exact
	// size (gopher-lua's default table preallocates 32 array slots and a 32-entry map).
	keys []string
	vals []glua.LValue
	null glua.LValue // the state's json.null
}

var errEOF = errors.New("unexpected end")

func (d *jsonDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value(depth int) (glua.LValue, error) {
	if depth > maxDepth {
		return nil, errors.New("nested too deeply")
	}
	d.ws()
	if d.i >= len(d.b) {
		return nil, errEOF
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, err := d.str()
		return glua.LString(s), err
	case c == 't':
		return glua.LTrue, d.literal("true")
	case c == 'f':
		return glua.LFalse, d.literal("false")
	case c == 'n':
		return d.null, d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	default:
		return nil, fmt.Errorf("unexpected %q", c)
	}
}

func (d *jsonDecoder) literal(word string) error {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return errors.New("invalid literal")
	}
	d.i += len(word)
	return nil
}

func (d *jsonDecoder) number() (glua.LValue, error) {
	start := d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			d.i++
			continue
		}
		break
	}
	f, err := strconv.ParseFloat(string(d.b[start:d.i]), 64)
	if err != nil {
		return nil, fmt.Errorf("invalid number %q", d.b[start:d.i])
	}
	return glua.LNumber(f), nil
}

func (d *jsonDecoder) object(depth int) (glua.LValue, error) {
	d.i++ // {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return d.L.CreateTable(0, 0), nil
	}
	mark := len(d.vals)
	defer func() { d.keys, d.vals = d.keys[:mark], d.vals[:mark] }()
	for {
		d.ws()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, errors.New("want a member name")
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.ws()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, errors.New("want ':'")
		}
		d.i++
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.keys, d.vals = append(d.keys, k), append(d.vals, v)
		if done, err := d.next('}'); err != nil {
			return nil, err
		} else if done {
			t := d.L.CreateTable(0, len(d.vals)-mark)
			for i := mark; i < len(d.vals); i++ {
				t.RawSetString(d.keys[i], d.vals[i])
			}
			return t, nil
		}
	}
}

func (d *jsonDecoder) array(depth int) (glua.LValue, error) {
	d.i++ // [
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return d.L.CreateTable(0, 0), nil
	}
	mark := len(d.vals)
	defer func() { d.keys, d.vals = d.keys[:mark], d.vals[:mark] }()
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.keys, d.vals = append(d.keys, ""), append(d.vals, v)
		if done, err := d.next(']'); err != nil {
			return nil, err
		} else if done {
			t := d.L.CreateTable(len(d.vals)-mark, 0)
			for i := mark; i < len(d.vals); i++ {
				t.RawSetInt(i-mark+1, d.vals[i])
			}
			return t, nil
		}
	}
}

// next consumes ',' (more to come) or the closing byte (done).
func (d *jsonDecoder) next(closing byte) (bool, error) {
	d.ws()
	if d.i >= len(d.b) {
		return false, errEOF
	}
	switch d.b[d.i] {
	case ',':
		d.i++
		return false, nil
	case closing:
		d.i++
		return true, nil
	}
	return false, fmt.Errorf("want ',' or %q", closing)
}

// str reads a string; the common case without escapes is one copy.
func (d *jsonDecoder) str() (string, error) {
	d.i++ // "
	start := d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			s := string(d.b[start:d.i])
			d.i++
			return s, nil
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			return "", errors.New("control character in a string")
		}
		d.i++
	}
	return "", errEOF
}

// escaped finishes a string that has escapes, from start.
func (d *jsonDecoder) escaped(start int) (string, error) {
	buf := append([]byte(nil), d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return string(buf), nil
		case c < 0x20:
			return "", errors.New("control character in a string")
		case c != '\\':
			buf = append(buf, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.b) {
			return "", errEOF
		}
		e := d.b[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
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
			r, ok := d.hex4()
			if !ok {
				return "", errors.New("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
					d.i += 2
					if r2, ok = d.hex4(); !ok {
						return "", errors.New("invalid \\u escape")
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", fmt.Errorf("invalid escape \\%c", e)
		}
	}
	return "", errEOF
}

func (d *jsonDecoder) hex4() (rune, bool) {
	if len(d.b)-d.i < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(d.b[d.i:d.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	d.i += 4
	return rune(v), true
}
