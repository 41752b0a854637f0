package lua

import (
	"log/slog"

	glua "github.com/yuin/gopher-lua"
)

// baseAllowed are the base library functions a plugin sees (docs/policy-abi.md "Lua binding": the base library
// without dofile loadfile load loadstring require module print collectgarbage). getfenv, setfenv, newproxy
// and _printregs are left out too: the first two reach the shared global table and would let one call's data
// reach the next. rawset and setmetatable are replaced by guarded versions.
var baseAllowed = []string{"assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal",
	"rawget", "select", "tonumber", "tostring", "type", "unpack", "xpcall", "_VERSION"}

// mathAllowed leaves out randomseed, which reseeds a generator shared by the whole process.
var mathAllowed = []string{"abs", "acos", "asin", "atan", "atan2", "ceil", "cos", "cosh", "deg", "exp", "floor",
	"fmod", "frexp", "huge", "ldexp", "log", "log10", "max", "min", "mod", "modf", "pi", "pow", "rad", "random",
	"sin", "sinh", "sqrt", "tan", "tanh"}

// stringAllowed are kept as they are; rep, find, match, gmatch and gsub are replaced (strings.go); dump and
// gfind are left out.
var stringAllowed = []string{"byte", "char", "format", "len", "lower", "reverse", "sub", "upper"}

// sandbox opens the allowed libraries and builds the base, the read-only library tables and the environment
// proxy that every function of the plugin has as its environment.
func (s *state) sandbox() {
	L := s.L
	for _, lib := range []struct {
		name string
		open glua.LGFunction
	}{{glua.BaseLibName, glua.OpenBase}, {glua.TabLibName, glua.OpenTable}, {glua.StringLibName, glua.OpenString},
		{glua.MathLibName, glua.OpenMath}} {
		L.Push(L.NewFunction(lib.open))
		L.Push(glua.LString(lib.name))
		L.Call(1, 0)
	}
	g := L.G.Global
	s.roFn = L.NewFunction(func(L *glua.LState) int {
		L.RaiseError("attempt to modify a read-only table")
		return 0
	})
	s.proxyMT = s.lockedMT()
	s.env = L.NewTable()
	s.env.Metatable = s.proxyMT
	s.protected[s.env] = true
	s.base = L.NewTable()
	for _, name := range baseAllowed {
		s.base.RawSetString(name, g.RawGetString(name))
	}
	rawset, setmt := g.RawGetString("rawset").(*glua.LFunction), g.RawGetString("setmetatable").(*glua.LFunction)
	s.base.RawSetString("rawset", L.NewFunction(s.guard(rawset.GFunction, true)))
	s.base.RawSetString("setmetatable", L.NewFunction(s.guard(setmt.GFunction, true)))

	str := L.NewTable()
	copyFields(str, g.RawGetString("string"), stringAllowed)
	str.RawSetString("rep", L.NewFunction(s.strRep))
	str.RawSetString("find", L.NewFunction(s.strFind))
	str.RawSetString("match", L.NewFunction(s.strMatch))
	str.RawSetString("gmatch", L.NewFunction(s.strGmatch))
	str.RawSetString("gsub", L.NewFunction(s.strGsub))
	// Methods on strings ("x"):rep(3) read this metatable: point it at the checked functions and lock it.
	strMT := L.NewTable()
	strMT.RawSetString("__index", str)
	strMT.RawSetString("__metatable", glua.LString("locked"))
	L.SetMetatable(glua.LString(""), strMT)
	s.base.RawSetString("string", s.readOnly(str))

	tbl := L.NewTable()
	real := g.RawGetString("table").(*glua.LTable)
	copyFields(tbl, real, []string{"getn", "maxn"})
	for _, name := range []string{"insert", "remove", "sort"} {
		tbl.RawSetString(name, L.NewFunction(s.guard(real.RawGetString(name).(*glua.LFunction).GFunction, false)))
	}
	tbl.RawSetString("concat", L.NewFunction(s.tableConcat))
	s.base.RawSetString("table", s.readOnly(tbl))

	math := L.NewTable()
	copyFields(math, g.RawGetString("math"), mathAllowed)
	s.base.RawSetString("math", s.readOnly(math))

	api := L.NewTable()
	api.RawSetString("log", L.NewFunction(s.log))
	urls := L.NewTable()
	urls.RawSetString("parse", L.NewFunction(urlParse))
	api.RawSetString("url", s.readOnly(urls))
	s.base.RawSetString("assentry", s.readOnly(api))

	s.decoder.null = s.newNull()
	js := L.NewTable()
	js.RawSetString("null", s.decoder.null)
	s.base.RawSetString("json", s.readOnly(js))

	s.base.RawSetString("_G", s.env)
	s.baseMT = L.NewTable()
	s.baseMT.RawSetString("__index", s.base)
}

func copyFields(dst *glua.LTable, src glua.LValue, names []string) {
	t := src.(*glua.LTable)
	for _, n := range names {
		dst.RawSetString(n, t.RawGetString(n))
	}
}

// lockedMT is a metatable that getmetatable does not reveal and setmetatable cannot replace.
func (s *state) lockedMT() *glua.LTable {
	mt := s.L.NewTable()
	mt.RawSetString("__metatable", glua.LString("locked"))
	mt.RawSetString("__newindex", s.roFn)
	return mt
}

// readOnly returns an empty protected table reading through to t.
func (s *state) readOnly(t *glua.LTable) *glua.LTable {
	mt := s.lockedMT()
	mt.RawSetString("__index", t)
	p := s.L.NewTable()
	p.Metatable = mt
	s.protected[p] = true
	return p
}

// guard wraps a builtin that modifies its first argument: the protected tables (libraries, the environment)
// are refused, and with tableOnly the first argument must be a table (gopher-lua's setmetatable would otherwise
// set the shared metatable of a whole type, e.g. of every number).
func (s *state) guard(f glua.LGFunction, tableOnly bool) glua.LGFunction {
	return func(L *glua.LState) int {
		if tableOnly {
			L.CheckTable(1)
		}
		if t, ok := L.Get(1).(*glua.LTable); ok && s.protected[t] {
			L.RaiseError("attempt to modify a read-only table")
		}
		return f(L)
	}
}

// log is assentry.log(level, msg): level is debug, info, warn or error; the message is truncated to
// Options.MaxLogBytes.
func (s *state) log(L *glua.LState) int {
	level := slog.LevelInfo
	switch L.OptString(1, "info") {
	case "debug":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	msg := L.Get(2).String()
	if len(msg) > s.p.engine.opts.MaxLogBytes {
		msg = msg[:s.p.engine.opts.MaxLogBytes] + "…"
	}
	ctx := L.Context()
	if ctx == nil {
		return 0
	}
	// The plugin's text is the message, with the same attributes in the same order as a wasm plugin's line
	// (policy/wasm/guestlog.go), so that one query finds both engines' lines: source=log marks a plugin's own.
	attrs := []any{"plugin", s.p.name, "host", s.p.host, "engine", Kind, "source", "log"}
	if s.hook != "" {
		attrs = append(attrs, "hook", s.hook)
		if s.requestID != "" {
			attrs = append(attrs, "request_id", s.requestID)
		}
	}
	s.p.engine.opts.Log.Log(ctx, level, msg, attrs...)
	return 0
}
