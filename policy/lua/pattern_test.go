package lua

import (
	"context"
	"strings"
	"testing"

	"github.com/assentry/assentry/policy"
)

// The checked pattern functions answer as Lua 5.1 does.
func TestPatternsMatchLua51(t *testing.T) {
	// Each want is what Lua 5.1.5 answers; gopher-lua's own functions differ on four of them (empty pattern
	// past the end, %f, a lazy item before a missing char, "$" not at the end).
	tests := []struct{ expr, want string }{
		{`string.find("hello world", "o w")`, "5|7"},
		{`string.find("hello world", "o", 6)`, "8|8"},
		{`string.find("hello world", "l+")`, "3|4"},
		{`string.find("hello world", "(l+)(o)")`, "3|5|ll|o"},
		{`string.find("a.b", ".", 1, true)`, "2|2"},
		{`string.find("abc", "b", -1)`, "nil"},
		{`string.find("abc", "", 10)`, "4|3"},
		{`string.find("abc", "^b")`, "nil"},
		{`string.find("  x", "^%s*()")`, "1|2|3"},
		{`string.match("key = value", "(%w+)%s*=%s*(%w+)")`, "key|value"},
		{`string.match("https://shop.example.com:8443/x", "^https://([^/:]+)")`, "shop.example.com"},
		{`string.match("2026-11-28", "(%d+)-(%d+)-(%d+)")`, "2026|11|28"},
		{`string.match("[[nested]]", "%b[]")`, "[[nested]]"},
		{`string.match("THE (quick) fox", "%f[%a]%a+")`, "THE"},
		{`string.match("hello", "()ll()")`, "3|5"},
		{`string.match("aaa", "a-b")`, "nil"},
		{`string.match("aaab", "a-b")`, "aaab"},
		{`string.match("abcabc", "(abc)%1")`, "abc"},
		{`string.match("x", "x$")`, "x"},
		{`string.match("x$", "x$")`, "nil"},
		{`string.match("a.b-c", "[%.%-]")`, "."},
		{`string.match("Az09_", "^[%w_]+$")`, "Az09_"},
		{`string.match("tab\there", "%c")`, "\t"},
		{`string.match("x]y", "[]]")`, "]"},
		{`string.match("x^y", "[x^]+")`, "x^"},
		{`string.match("é", "[\128-\255]+")`, "é"},
		{`string.gsub("hello world", "o", "0")`, "hell0 w0rld|2"},
		{`string.gsub("hello world", "(o)", "[%1]")`, "hell[o] w[o]rld|2"},
		{`string.gsub("hello world", "%w+", "%0 %0", 1)`, "hello hello world|1"},
		{`string.gsub("abc", "", "-")`, "-a-b-c-|4"},
		{`string.gsub("hello", "l", {l = "L"})`, "heLLo|2"},
		{`string.gsub("$name is $age", "%$(%w+)", {name = "ann", age = 7})`, "ann is 7|2"},
		{`string.gsub("abc", "%w", function(c) return c:upper() .. "." end)`, "A.B.C.|3"},
		{`string.gsub("abc", "b", function() return nil end)`, "abc|1"},
		{`string.gsub("a b c", "%s", "%%")`, "a%b%c|2"},
		{`string.gsub("abc", "^a", "x")`, "xbc|1"},
		{`string.gsub("  trim  ", "^%s*(.-)%s*$", "%1")`, "trim|1"},
		{`string.rep("ab", 3)`, "ababab"},
		{`string.rep("ab", 0)`, ""},
	}
	for _, tt := range tests {
		expr, want := tt.expr, tt.want
		t.Run(expr, func(t *testing.T) {
			p := mustLoad(t, claimsOf(`return {r = (function(...) local out = {} for i = 1, select("#", ...) do
				out[i] = tostring((select(i, ...))) end return table.concat(out, "|") end)(`+expr+`)}`))
			out, err := p.Call(context.Background(), policy.HookClaims, []byte(claimsInput))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.TrimSuffix(strings.TrimPrefix(string(out), `{"claims":{"r":"`), `"}}`)
			got = strings.ReplaceAll(got, `\t`, "\t")
			if got != want {
				t.Errorf("got %q, Lua 5.1 gives %q", got, want)
			}
		})
	}
}

func TestGmatch(t *testing.T) {
	p := mustLoad(t, claimsOf(`local out = {}
		for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do out[#out + 1] = k .. v end
		for w in ("one two"):gmatch("%a+") do out[#out + 1] = w end
		for e in ("ab"):gmatch("") do out[#out + 1] = "e" end
		return {r = table.concat(out, ",")}`))
	out, err := p.Call(context.Background(), policy.HookClaims, []byte(claimsInput))
	if want := `{"claims":{"r":"a1,b2,c3,one,two,e,e,e"}}`; err != nil || string(out) != want {
		t.Fatalf("got (%s, %v), want %s", out, err, want)
	}
}

func TestPatternErrors(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{`return {r = string.match("x", "%")}`, "malformed pattern"},
		{`return {r = string.match("x", "[a")}`, "missing ']'"},
		{`return {r = string.match("x", "(x")}`, "unfinished capture"},
		{`return {r = string.match("x", "x)")}`, "invalid pattern capture"},
		{`return {r = string.match("x", "%1")}`, "invalid capture index"},
		{`return {r = string.match("x", "%b")}`, "unbalanced pattern"},
		{`return {r = string.match("x", "%fx")}`, "missing '['"},
		{`return {r = string.gsub("x", "x", true)}`, "string/function/table expected"},
		{`return {r = string.gsub("x", "x", function() return {} end)}`, "invalid replacement value"},
		{`return {r = string.match("x", string.rep("x", 5000))}`, "pattern is longer"},
	} {
		p := mustLoad(t, claimsOf(tt.body))
		_, err := p.Call(context.Background(), policy.HookClaims, []byte(claimsInput))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.body, err, tt.want)
		}
	}
}
