package prosody

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// luaEscapes are the one-letter escapes of a Lua short string (Lua 5.4 manual §3.1).
var luaEscapes = map[byte]byte{'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
	'\\': '\\', '"': '"', '\'': '\''}

// str reads a quoted Lua string and returns its bytes. It takes every escape Lua does: the one-letter ones, an
// escaped line break (%q writes "\" and a newline), \ddd (decimal, as util.serialization writes bytes outside
// printable ASCII), \xXX, \z and \u{XXX}. Salts are arbitrary bytes, so the result need not be UTF-8.
func (p *parser) str() (string, error) {
	quote := p.src[p.pos]
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			return "", p.errorf("unfinished string")
		}
		c := p.src[p.pos]
		switch {
		case c == quote:
			p.pos++
			return b.String(), nil
		case c == '\n' || c == '\r':
			return "", p.errorf("line break in a string")
		case c != '\\':
			b.WriteByte(c)
			p.pos++
			continue
		}
		p.pos++ // the backslash
		if p.pos >= len(p.src) {
			return "", p.errorf("unfinished string")
		}
		e := p.src[p.pos]
		switch {
		case luaEscapes[e] != 0:
			b.WriteByte(luaEscapes[e])
			p.pos++
		case e == '\n' || e == '\r':
			b.WriteByte('\n')
			p.pos++
			// "\r\n" and "\n\r" are one line break.
			if p.pos < len(p.src) && (p.src[p.pos] == '\n' || p.src[p.pos] == '\r') && p.src[p.pos] != e {
				p.pos++
			}
		case e >= '0' && e <= '9':
			end := p.pos
			for end < len(p.src) && end-p.pos < 3 && p.src[end] >= '0' && p.src[end] <= '9' {
				end++
			}
			n, _ := strconv.Atoi(p.src[p.pos:end])
			if n > 255 {
				return "", p.errorf("decimal escape too large")
			}
			b.WriteByte(byte(n))
			p.pos = end
		case e == 'x':
			if p.pos+3 > len(p.src) {
				return "", p.errorf("bad \\x escape")
			}
			n, err := strconv.ParseUint(p.src[p.pos+1:p.pos+3], 16, 8)
			if err != nil {
				return "", p.errorf("bad \\x escape")
			}
			b.WriteByte(byte(n))
			p.pos += 3
		case e == 'z':
			p.pos++
			for p.pos < len(p.src) && strings.IndexByte(" \t\n\r\f\v", p.src[p.pos]) >= 0 {
				p.pos++
			}
		case e == 'u':
			end := strings.IndexByte(p.src[p.pos:], '}')
			if p.pos+1 >= len(p.src) || p.src[p.pos+1] != '{' || end < 0 {
				return "", p.errorf("bad \\u escape")
			}
			n, err := strconv.ParseUint(p.src[p.pos+2:p.pos+end], 16, 31)
			if err != nil || n > utf8.MaxRune {
				return "", p.errorf("bad \\u escape")
			}
			b.WriteRune(rune(n))
			p.pos += end + 1
		default:
			return "", p.errorf("invalid escape \\%c", e)
		}
	}
}
