package prosody

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxDepth bounds nested tables (Prosody's serializer stops at 127); maxSize bounds a file. An account file is a
// few hundred bytes.
const (
	maxDepth = 32
	maxSize  = 1 << 20
)

// parseChunk reads the one statement Prosody's file storage writes, "return <table>" (with an optional trailing
// ";"), and returns the table. Keys and values are limited to what util.serialization emits: strings, numbers,
// booleans and nested tables, keys in brackets (["k"], [1]) or bare names (k = ...), items separated by ";" or ",".
// Anything else, a function call or an expression included, is an error: the file is data, never code.
func parseChunk(src string) (map[string]any, error) {
	if len(src) > maxSize {
		return nil, errors.New("file is larger than an account file can be")
	}
	p := &parser{src: src}
	p.space()
	if !p.word("return") {
		return nil, p.errorf("expected \"return\"")
	}
	p.space()
	if p.peek() != '{' {
		return nil, p.errorf("expected a table")
	}
	v, err := p.table(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.peek() == ';' {
		p.pos++
		p.space()
	}
	if p.pos != len(p.src) {
		return nil, p.errorf("unexpected text after the table")
	}
	return v, nil
}

type parser struct {
	src string
	pos int
}

func (p *parser) errorf(format string, a ...any) error {
	line := 1 + strings.Count(p.src[:p.pos], "\n")
	return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, a...))
}

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// space skips white space and Lua comments ("-- ..." to the end of the line).
func (p *parser) space() {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			p.pos++
		case strings.HasPrefix(p.src[p.pos:], "--"):
			end := strings.IndexByte(p.src[p.pos:], '\n')
			if end < 0 {
				p.pos = len(p.src)
			} else {
				p.pos += end
			}
		default:
			return
		}
	}
}

// word consumes the keyword w when it stands alone (not the start of a longer name).
func (p *parser) word(w string) bool {
	if !strings.HasPrefix(p.src[p.pos:], w) {
		return false
	}
	if end := p.pos + len(w); end < len(p.src) && isNameByte(p.src[end]) {
		return false
	}
	p.pos += len(w)
	return true
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// table reads "{ item (sep item)* [sep] }". Array items (values without keys) get the keys "1", "2", ... as Lua
// numbers them; numeric keys are kept in their decimal form.
func (p *parser) table(depth int) (map[string]any, error) {
	if depth > maxDepth {
		return nil, p.errorf("tables nested too deep")
	}
	p.pos++ // '{'
	t := map[string]any{}
	next := 1
	for {
		p.space()
		if p.peek() == '}' {
			p.pos++
			return t, nil
		}
		key, err := p.key(&next)
		if err != nil {
			return nil, err
		}
		p.space()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		if _, dup := t[key]; dup {
			return nil, p.errorf("key %q appears twice", key)
		}
		t[key] = v
		p.space()
		switch p.peek() {
		case ';', ',':
			p.pos++
		case '}':
		default:
			return nil, p.errorf("expected \";\", \",\" or \"}\"")
		}
	}
}

// key reads "[k] =" or "name =", or nothing for an array item (whose key is the next array index).
func (p *parser) key(next *int) (string, error) {
	switch c := p.peek(); {
	case c == '[':
		p.pos++
		p.space()
		var key string
		switch c := p.peek(); {
		case c == '"' || c == '\'':
			s, err := p.str()
			if err != nil {
				return "", err
			}
			key = s
		case c == '-' || c >= '0' && c <= '9':
			n, err := p.number()
			if err != nil {
				return "", err
			}
			key = strconv.FormatFloat(n, 'f', -1, 64)
		default:
			return "", p.errorf("expected a string or number key")
		}
		p.space()
		if p.peek() != ']' {
			return "", p.errorf("expected \"]\"")
		}
		p.pos++
		return key, p.equals()
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		start := p.pos
		for p.pos < len(p.src) && isNameByte(p.src[p.pos]) {
			p.pos++
		}
		name := p.src[start:p.pos]
		p.space()
		if p.peek() == '=' {
			return name, p.equals()
		}
		p.pos = start // a bare true/false value of an array item
	}
	key := strconv.Itoa(*next)
	*next++
	return key, nil
}

func (p *parser) equals() error {
	p.space()
	if p.peek() != '=' {
		return p.errorf("expected \"=\"")
	}
	p.pos++
	return nil
}

// value reads a string, a number, true, false or a nested table.
func (p *parser) value(depth int) (any, error) {
	switch c := p.peek(); {
	case c == '"' || c == '\'':
		return p.str()
	case c == '{':
		return p.table(depth + 1)
	case c == '-' || c == '.' || c >= '0' && c <= '9':
		return p.number()
	case p.word("true"):
		return true, nil
	case p.word("false"):
		return false, nil
	}
	return nil, p.errorf("expected a string, number, boolean or table")
}

// number reads a decimal or hexadecimal Lua numeral, optionally negative.
func (p *parser) number() (float64, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if isNameByte(c) || c == '.' || (c == '+' || c == '-') && strings.ContainsRune("eE", rune(p.src[p.pos-1])) {
			p.pos++
			continue
		}
		break
	}
	lit := p.src[start:p.pos]
	if strings.HasPrefix(strings.TrimPrefix(lit, "-"), "0x") || strings.HasPrefix(strings.TrimPrefix(lit, "-"), "0X") {
		n, err := strconv.ParseInt(lit, 0, 64)
		if err != nil {
			return 0, p.errorf("bad number %q", lit)
		}
		return float64(n), nil
	}
	n, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return 0, p.errorf("bad number %q", lit)
	}
	return n, nil
}
