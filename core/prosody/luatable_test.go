package prosody

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseChunk(t *testing.T) {
	tests := []struct {
		name, src string
		want      map[string]any
	}{
		{"current format", "return {\n\t[\"salt\"] = \"abc\";\n\t[\"iteration_count\"] = 10000;\n};\n",
			map[string]any{"salt": "abc", "iteration_count": 10000.0}},
		{"old format, commas, no final semicolon", "return {\n [\"salt\"] = \"abc\",\n [\"n\"] = -1.5e3,\n}\n",
			map[string]any{"salt": "abc", "n": -1500.0}},
		{"one line, no trailing separator", `return {["a"]="x";["b"]=true,["c"]=false}`,
			map[string]any{"a": "x", "b": true, "c": false}},
		{"bare names and single quotes", `return { salt = 'a\'b'; iteration_count = 0x10 }`,
			map[string]any{"salt": "a'b", "iteration_count": 16.0}},
		{"nested tables and array items", `return { ["meta"] = { ["reason"] = "spam"; 1, "two", true }; }`,
			map[string]any{"meta": map[string]any{"reason": "spam", "1": 1.0, "2": "two", "3": true}}},
		{"numeric keys", `return { [1] = "a"; [20] = "b" }`, map[string]any{"1": "a", "20": "b"}},
		{"escapes", `return { ["s"] = "\a\b\f\n\r\t\v\\\"\'\000\255\65x\x41\u{e9}\z   end" }`,
			map[string]any{"s": "\a\b\f\n\r\t\v\\\"'\x00\xffAx" + "A" + "é" + "end"}},
		{"escaped line break (%q)", "return { [\"s\"] = \"one\\\ntwo\" }", map[string]any{"s": "one\ntwo"}},
		{"comments", "-- written by Prosody\nreturn { -- the account\n [\"a\"] = 1; }", map[string]any{"a": 1.0}},
		{"empty", "return {};", map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseChunk(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestParseChunkRefusesCode: anything beyond the data Prosody's serializer writes is refused, never run.
func TestParseChunkRefusesCode(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"function call", `return { ["salt"] = os.execute("touch /tmp/x") }`, "expected a string"},
		{"statement before", `os.exit(1) return {}`, `expected "return"`},
		{"statement after", `return {} os.exit(1)`, "after the table"},
		{"not a table", `return "x"`, "expected a table"},
		{"concatenation", `return { ["a"] = "x" .. "y" }`, `expected ";"`},
		{"variable", `return { ["a"] = x }`, "expected a string"},
		{"long string", `return { ["a"] = [[x]] }`, "expected a string"},
		{"function", `return { ["a"] = function() end }`, "expected a string"},
		{"computed key", `return { [f()] = 1 }`, "key"},
		{"duplicate key", `return { ["a"] = 1; a = 2 }`, "twice"},
		{"unfinished string", `return { ["a"] = "x }`, "unfinished"},
		{"line break in string", "return { [\"a\"] = \"x\ny\" }", "line break"},
		{"bad escape", `return { ["a"] = "\q" }`, "invalid escape"},
		{"decimal escape too large", `return { ["a"] = "\256" }`, "too large"},
		{"unclosed table", `return { ["a"] = 1;`, "expected"},
		{"deep nesting", "return " + strings.Repeat("{", 100) + strings.Repeat("}", 100), "too deep"},
		{"empty file", ``, `expected "return"`},
		{"returnx", `returnx {}`, `expected "return"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseChunk(tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
