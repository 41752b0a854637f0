package lua

import (
	"fmt"
	"strings"

	glua "github.com/yuin/gopher-lua"
)

// maxPatternBytes caps a pattern's length (the matcher recurses once per pattern item).
const maxPatternBytes = 4096

// refuse fails the call because a builtin would build or scan a string over the cap; the failure is
// out_of_memory.
func (s *state) refuse(L *glua.LState, format string, args ...any) {
	s.refused = fmt.Sprintf(format, args...)
	L.RaiseError("%s", s.refused)
}

// strRep is string.rep(s, n [, sep]) with the result checked against the cap before anything is built.
func (s *state) strRep(L *glua.LState) int {
	str, n, sep := L.CheckString(1), L.CheckInt(2), L.OptString(3, "")
	if n <= 0 {
		L.Push(glua.LString(""))
		return 1
	}
	limit := s.p.engine.opts.MaxStringBytes
	unit := len(str) + len(sep)
	if unit > 0 && (n > limit/unit+1 || unit*n-len(sep) > limit) {
		s.refuse(L, "string.rep: the result would be longer than %d bytes", limit)
	}
	if sep == "" {
		L.Push(glua.LString(strings.Repeat(str, n)))
		return 1
	}
	var b strings.Builder
	b.Grow(unit*n - len(sep))
	for i := range n {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(str)
	}
	L.Push(glua.LString(b.String()))
	return 1
}

// checkPattern refuses a subject or a pattern over its cap.
func (s *state) checkPattern(L *glua.LState, fn, src, pat string) {
	if limit := s.p.engine.opts.MaxStringBytes; len(src) > limit {
		s.refuse(L, "string.%s: the subject is longer than %d bytes", fn, limit)
	}
	if len(pat) > maxPatternBytes {
		s.refuse(L, "string.%s: the pattern is longer than %d bytes", fn, maxPatternBytes)
	}
}

// matcher checks the subject and pattern lengths and returns a match state from the state's free list (a
// gsub replacement function may call the pattern functions again, so there can be several at once). The
// caller gives it back with release.
func (s *state) matcher(L *glua.LState, fn, src, pat string) *matchState {
	s.checkPattern(L, fn, src, pat)
	var ms *matchState
	if n := len(s.matchers); n > 0 {
		ms, s.matchers = s.matchers[n-1], s.matchers[:n-1]
	} else {
		ms = new(matchState)
	}
	*ms = matchState{L: L, src: src, pat: pat, nextCheck: checkEvery}
	return ms
}

func (s *state) release(ms *matchState) {
	ms.L, ms.src, ms.pat = nil, "", ""
	s.matchers = append(s.matchers, ms)
}

// initPos converts Lua 5.1's optional 1-based, possibly negative start position into a 0-based index.
func initPos(L *glua.LState, n, length int) int {
	pos := L.OptInt(n, 1)
	if pos < 0 {
		pos += length + 1
	}
	pos--
	return max(0, min(pos, length))
}

func (s *state) strFind(L *glua.LState) int { return s.findAux(L, true) }

func (s *state) strMatch(L *glua.LState) int { return s.findAux(L, false) }

// findAux is string.find and string.match (lstrlib.c str_find_aux).
func (s *state) findAux(L *glua.LState, find bool) int {
	src, pat := L.CheckString(1), L.CheckString(2)
	init := initPos(L, 3, len(src))
	name := "match"
	if find {
		name = "find"
	}
	ms := s.matcher(L, name, src, pat)
	defer s.release(ms)
	if find && (glua.LVAsBool(L.Get(4)) || !strings.ContainsAny(pat, specials)) {
		// A plain search.
		if i := strings.Index(src[init:], pat); i >= 0 {
			L.Push(glua.LNumber(init + i + 1))
			L.Push(glua.LNumber(init + i + len(pat)))
			return 2
		}
		L.Push(glua.LNil)
		return 1
	}
	anchor := len(pat) > 0 && pat[0] == '^'
	if anchor {
		ms.pat = pat[1:]
	}
	for s1 := init; ; s1++ {
		ms.level = 0
		if e := ms.match(s1, 0); e != -1 {
			if find {
				L.Push(glua.LNumber(s1 + 1))
				L.Push(glua.LNumber(e))
				return ms.pushCaptures(-1, -1, false) + 2
			}
			return ms.pushCaptures(s1, e, true)
		}
		if s1 >= len(src) || anchor {
			break
		}
	}
	L.Push(glua.LNil)
	return 1
}

// strGmatch is string.gmatch (lstrlib.c gmatch_aux): an iterator over the matches.
func (s *state) strGmatch(L *glua.LState) int {
	src, pat := L.CheckString(1), L.CheckString(2)
	s.checkPattern(L, "gmatch", src, pat)
	pos := 0
	L.Push(L.NewFunction(func(L *glua.LState) int {
		ms := &matchState{L: L, src: src, pat: pat, nextCheck: checkEvery}
		for ; pos <= len(src); pos++ {
			ms.level = 0
			if e := ms.match(pos, 0); e != -1 {
				start := pos
				pos = e
				if e == start {
					pos++ // an empty match: move on at least one position
				}
				return ms.pushCaptures(start, e, true)
			}
		}
		return 0
	}))
	return 1
}

// strGsub is string.gsub (lstrlib.c str_gsub), building its result in one buffer and refusing it once it
// grows over the cap (gopher-lua's own copies the whole string at each replacement).
func (s *state) strGsub(L *glua.LState) int {
	src, pat := L.CheckString(1), L.CheckString(2)
	repl := L.Get(3)
	switch repl.Type() {
	case glua.LTNumber, glua.LTString, glua.LTTable, glua.LTFunction:
	default:
		L.ArgError(3, "string/function/table expected")
	}
	maxN := L.OptInt(4, len(src)+1)
	ms := s.matcher(L, "gsub", src, pat)
	defer s.release(ms)
	anchor := len(pat) > 0 && pat[0] == '^'
	if anchor {
		ms.pat = pat[1:]
	}
	limit := s.p.engine.opts.MaxStringBytes
	var b strings.Builder
	n, pos := 0, 0
	for n < maxN {
		ms.level = 0
		e := ms.match(pos, 0)
		if e != -1 {
			n++
			s.addValue(ms, &b, repl, pos, e)
		}
		switch {
		case e != -1 && e > pos:
			pos = e
		case pos < len(src):
			b.WriteByte(src[pos])
			pos++
		default:
			pos = len(src) + 1
		}
		if b.Len() > limit {
			s.refuse(L, "string.gsub: the result would be longer than %d bytes", limit)
		}
		if pos > len(src) || anchor {
			break
		}
	}
	if pos < len(src) {
		b.WriteString(src[pos:])
	}
	if b.Len() > limit {
		s.refuse(L, "string.gsub: the result would be longer than %d bytes", limit)
	}
	L.Push(glua.LString(b.String()))
	L.Push(glua.LNumber(n))
	return 2
}

// addValue appends the replacement of one match (lstrlib.c add_value and add_s).
func (s *state) addValue(ms *matchState, b *strings.Builder, repl glua.LValue, st, e int) {
	L := ms.L
	var val glua.LValue
	switch r := repl.(type) {
	case glua.LString, glua.LNumber:
		news := r.String()
		for i := 0; i < len(news); i++ {
			c := news[i]
			if c != luaEsc || i+1 == len(news) {
				b.WriteByte(c)
				continue
			}
			i++
			switch d := news[i]; {
			case !isdigit(d):
				b.WriteByte(d)
			case d == '0':
				b.WriteString(ms.src[st:e])
			default:
				ms.pushOneCapture(int(d-'1'), st, e)
				b.WriteString(L.Get(-1).String())
				L.Pop(1)
			}
			if b.Len() > s.p.engine.opts.MaxStringBytes {
				s.refuse(L, "string.gsub: the result would be longer than %d bytes", s.p.engine.opts.MaxStringBytes)
			}
		}
		return
	case *glua.LFunction:
		L.Push(r)
		n := ms.pushCaptures(st, e, true)
		L.Call(n, 1)
		val = L.Get(-1)
		L.Pop(1)
	case *glua.LTable:
		ms.pushOneCapture(0, st, e)
		key := L.Get(-1)
		L.Pop(1)
		val = L.GetTable(r, key)
	}
	switch v := val.(type) {
	case glua.LString, glua.LNumber:
		b.WriteString(v.String())
	default:
		if glua.LVIsFalse(val) { // nil or false: keep the original text
			b.WriteString(ms.src[st:e])
			return
		}
		L.RaiseError("invalid replacement value (a %s)", val.Type())
	}
}

// tableConcat is table.concat(t [, sep [, i [, j]]]) with the result's length checked before it is built.
func (s *state) tableConcat(L *glua.LState) int {
	t := L.CheckTable(1)
	sep := L.OptString(2, "")
	i, j := L.OptInt(3, 1), L.OptInt(4, t.Len())
	limit := s.p.engine.opts.MaxStringBytes
	total := 0
	for k := i; k <= j; k++ {
		switch v := t.RawGetInt(k).(type) {
		case glua.LString:
			total += len(v)
		case glua.LNumber:
			total += len(v.String())
		default:
			L.RaiseError("invalid value (at index %d) in table for 'concat'", k)
		}
		if k > i {
			total += len(sep)
		}
		if total > limit {
			s.refuse(L, "table.concat: the result would be longer than %d bytes", limit)
		}
	}
	var b strings.Builder
	b.Grow(total)
	for k := i; k <= j; k++ {
		if k > i {
			b.WriteString(sep)
		}
		b.WriteString(t.RawGetInt(k).String())
	}
	L.Push(glua.LString(b.String()))
	return 1
}
