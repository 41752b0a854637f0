package lint

import (
	"strings"
)

// tag is a start or end tag found by scan, with its byte offset in the scanned text.
type tag struct {
	name   string // lower case; "/form" for an end tag
	attrs  []attr
	offset int
	body   string // for <script> and <style>: the text up to the end tag
}

type attr struct {
	name  string // lower case
	value string
	has   bool // written with a value (name="..." rather than a bare name)
}

// get returns an attribute's value and whether the tag has it.
func (t tag) get(name string) (string, bool) {
	for _, a := range t.attrs {
		if a.name == name {
			return a.value, true
		}
	}
	return "", false
}

// scan reads the tags of an HTML text in order. Comments, doctypes and text are skipped; the bodies of <script>
// and <style> are kept on their tag, not scanned as markup.
func scan(s string) []tag {
	var out []tag
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			break
		}
		i += lt
		switch {
		case strings.HasPrefix(s[i:], "<!--"):
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				return out
			}
			i += 4 + end + 3
			continue
		case strings.HasPrefix(s[i:], "<!"), strings.HasPrefix(s[i:], "<?"):
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return out
			}
			i += end + 1
			continue
		}
		t, next, ok := scanTag(s, i)
		if !ok {
			i++
			continue
		}
		i = next
		if t.name == "script" || t.name == "style" {
			end := strings.Index(strings.ToLower(s[i:]), "</"+t.name)
			if end < 0 {
				end = len(s) - i
			}
			t.body = s[i : i+end]
			i += end
		}
		out = append(out, t)
	}
	return out
}

// scanTag reads the tag starting at s[start] == '<'.
func scanTag(s string, start int) (tag, int, bool) {
	i := start + 1
	end := i < len(s) && s[i] == '/'
	if end {
		i++
	}
	n := i
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	if i == n || !isLetter(s[n]) {
		return tag{}, 0, false
	}
	t := tag{name: strings.ToLower(s[n:i]), offset: start}
	if end {
		t.name = "/" + t.name
	}
	for i < len(s) {
		for i < len(s) && (isSpace(s[i]) || s[i] == '/') {
			i++
		}
		if i >= len(s) {
			break
		}
		if s[i] == '>' {
			return t, i + 1, true
		}
		n := i
		for i < len(s) && !isSpace(s[i]) && s[i] != '=' && s[i] != '>' && s[i] != '/' {
			i++
		}
		a := attr{name: strings.ToLower(s[n:i])}
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i < len(s) && s[i] == '=' {
			i++
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			a.has = true
			if i < len(s) && (s[i] == '"' || s[i] == '\'') {
				q := s[i]
				close := strings.IndexByte(s[i+1:], q)
				if close < 0 {
					return tag{}, 0, false
				}
				a.value = s[i+1 : i+1+close]
				i += close + 2
			} else {
				v := i
				for i < len(s) && !isSpace(s[i]) && s[i] != '>' {
					i++
				}
				a.value = s[v:i]
			}
		}
		if a.name != "" {
			t.attrs = append(t.attrs, a)
		}
	}
	return tag{}, 0, false
}

func isSpace(b byte) bool    { return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' }
func isLetter(b byte) bool   { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }
func isNameByte(b byte) bool { return isLetter(b) || '0' <= b && b <= '9' || b == '-' || b == ':' }

// maskActions replaces every {{action}} of a template source with '_' (keeping newlines, so offsets and lines stay
// those of the file): what the markup looks like around the values a page fills in.
func maskActions(src string) string {
	b := []byte(src)
	for i := 0; i+1 < len(b); i++ {
		if b[i] != '{' || b[i+1] != '{' {
			continue
		}
		from := i + 2
		// A comment {{/* ... */}} may itself mention {{actions}}: it ends at "*/" followed by "}}".
		if rest := strings.TrimLeft(strings.TrimPrefix(src[from:], "-"), " \t\n"); strings.HasPrefix(rest, "/*") {
			if c := strings.Index(src[from:], "*/"); c >= 0 {
				from += c + 2
			}
		}
		end := strings.Index(src[from:], "}}")
		if end >= 0 {
			end += from - (i + 2)
		}
		if end < 0 {
			end = len(src) - i - 2
		} else {
			end += 2
		}
		for j := i; j < i+2+end && j < len(b); j++ {
			if b[j] != '\n' {
				b[j] = '_'
			}
		}
		i += 1 + end
	}
	return string(b)
}

// position turns a byte offset into a 1-based line and column.
func position(s string, offset int) (line, col int) {
	line = 1 + strings.Count(s[:offset], "\n")
	return line, offset - strings.LastIndexByte(s[:offset], '\n')
}
