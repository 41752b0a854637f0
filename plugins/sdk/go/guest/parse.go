package guest

import "strconv"

// The tokenizer of the JSON codec (json.go): one pass that checks the grammar and records each value.

// maxDepth bounds nesting, so a hostile input cannot exhaust the guest's stack.
const maxDepth = 128

// Parse parses one JSON document; the Value keeps a copy of data.
func Parse(data []byte) (Value, error) {
	d := &doc{}
	return d.parse(append([]byte(nil), data...))
}

// parse tokenizes src into d (reusing d's index) without copying src.
func (d *doc) parse(src []byte) (Value, error) {
	d.src, d.toks = src, d.toks[:0]
	p := parser{d: d, b: src}
	if err := p.value(0); err != nil {
		return Value{}, err
	}
	p.space()
	if p.i != len(p.b) {
		return Value{}, p.fail("data after the value")
	}
	return Value{d: d, i: 0}, nil
}

type parser struct {
	d *doc
	b []byte
	i int
}

// SyntaxError is a parse error at a byte offset.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return "json: " + e.Msg + " at offset " + strconv.Itoa(e.Offset)
}

func (p *parser) fail(msg string) error { return &SyntaxError{Offset: p.i, Msg: msg} }

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) push(k Kind, start, end int) int {
	p.d.toks = append(p.d.toks, token{kind: k, start: int32(start), end: int32(end), next: int32(len(p.d.toks) + 1)})
	return len(p.d.toks) - 1
}

func (p *parser) value(depth int) error {
	if depth > maxDepth {
		return p.fail("nested too deep")
	}
	p.space()
	if p.i >= len(p.b) {
		return p.fail("unexpected end")
	}
	start := p.i
	switch c := p.b[p.i]; {
	case c == '{' || c == '[':
		return p.container(depth, c == '{')
	case c == '"':
		return p.string()
	case c == '-' || c >= '0' && c <= '9':
		if err := p.number(); err != nil {
			return err
		}
		p.push(KindNumber, start, p.i)
		return nil
	case p.literal("true"):
		p.push(KindTrue, start, p.i)
		return nil
	case p.literal("false"):
		p.push(KindFalse, start, p.i)
		return nil
	case p.literal("null"):
		p.push(KindNull, start, p.i)
		return nil
	}
	return p.fail("unexpected character")
}

func (p *parser) literal(s string) bool {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

func (p *parser) container(depth int, object bool) error {
	kind, closer := KindArray, byte(']')
	if object {
		kind, closer = KindObject, '}'
	}
	t := p.push(kind, p.i, p.i)
	p.i++
	p.space()
	if p.i < len(p.b) && p.b[p.i] == closer {
		p.i++
	} else {
		for {
			if object {
				p.space()
				if p.i >= len(p.b) || p.b[p.i] != '"' {
					return p.fail("expected a member name")
				}
				if err := p.string(); err != nil {
					return err
				}
				p.space()
				if p.i >= len(p.b) || p.b[p.i] != ':' {
					return p.fail("expected ':'")
				}
				p.i++
			}
			if err := p.value(depth + 1); err != nil {
				return err
			}
			p.space()
			if p.i < len(p.b) && p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.b) && p.b[p.i] == closer {
				p.i++
				break
			}
			if object {
				return p.fail("expected ',' or '}'")
			}
			return p.fail("expected ',' or ']'")
		}
	}
	p.d.toks[t].end = int32(p.i)
	p.d.toks[t].next = int32(len(p.d.toks))
	return nil
}

// string checks a string at p.i (its opening quote) and records it; escapes are decoded when it is read.
func (p *parser) string() error {
	p.i++ // "
	start, escaped := p.i, false
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			t := p.push(KindString, start, p.i)
			p.d.toks[t].escaped = escaped
			p.i++
			return nil
		case c < 0x20:
			return p.fail("control character in string")
		case c == '\\':
			escaped = true
			p.i++
			if p.i >= len(p.b) {
				return p.fail("unterminated string")
			}
			switch p.b[p.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(p.b)-p.i < 5 || !isHex4(p.b[p.i+1:p.i+5]) {
					return p.fail("bad \\u escape")
				}
				p.i += 4
			default:
				return p.fail("bad escape")
			}
		}
		p.i++
	}
	return p.fail("unterminated string")
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// number reads a number in the JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() error {
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.b[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.b) && p.b[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return p.fail("bad number")
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return p.fail("bad number")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return p.fail("bad number")
		}
	}
	return nil
}
