package lua

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/policytest"
)

func TestSandbox(t *testing.T) {
	tests := []struct {
		name    string
		body    string // returns the claims table
		want    string // the decision JSON
		wantErr string // or a failure containing this
	}{
		{name: "no system libraries or loaders", body: `local out = {}
			for _, n in ipairs({"os", "io", "package", "debug", "coroutine", "channel", "require", "module", "load",
				"loadstring", "dofile", "loadfile", "print", "collectgarbage", "getfenv", "setfenv", "newproxy",
				"_printregs", "_GOPHER_LUA_VERSION"}) do
				if _G[n] ~= nil then out[#out + 1] = n end
			end
			return {present = table.concat(out, ",")}`,
			want: `{"claims":{"present":""}}`},
		{name: "no randomseed or dump", body: `return {r = type(math.randomseed), d = type(string.dump)}`,
			want: `{"claims":{"d":"nil","r":"nil"}}`},
		{name: "libraries work", body: `return {u = ("abc"):upper(), g = (string.gsub("a,b", ",", ";")), m = math.max(1, 7),
			c = table.concat({"x", "y"}, "-"), f = string.format("%05.1f", 3.14159)}`,
			want: `{"claims":{"c":"x-y","f":"003.1","g":"a;b","m":7,"u":"ABC"}}`},
		{name: "globals read back in the same call", body: `x = 5; return {v = _G.x, w = x}`, want: `{"claims":{"v":5,"w":5}}`},
		{name: "string library is read-only", body: `string.upper = nil`, wantErr: "read-only"},
		{name: "rawset on a library is refused", body: `rawset(math, "pi", 3)`, wantErr: "read-only"},
		{name: "rawset on the environment is refused", body: `rawset(_G, "x", 1)`, wantErr: "read-only"},
		{name: "table.insert on a library is refused", body: `table.insert(table, 1)`, wantErr: "read-only"},
		{name: "environment metatable is locked", body: `setmetatable(_G, {})`, wantErr: "read-only"},
		{name: "string metatable is hidden", body: `return {mt = getmetatable("")}`, want: `{"claims":{"mt":"locked"}}`},
		{name: "string metatable cannot be replaced", body: `setmetatable("", {})`, wantErr: "table expected"},
		{name: "a type's shared metatable cannot be set", body: `setmetatable(1, {__index = {}})`, wantErr: "table expected"},
		{name: "own tables are free", body: `local t = setmetatable({}, {__index = {a = 1}}); rawset(t, "b", 2); table.insert(t, 3)
			return {a = t.a, b = t.b, n = #t}`, want: `{"claims":{"a":1,"b":2,"n":1}}`},
		{name: "error with a table value", body: `error({code = 1})`, wantErr: "table"},
		{name: "pcall catches", body: `local ok, e = pcall(error, "x"); return {ok = ok}`, want: `{"claims":{"ok":false}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustLoad(t, claimsOf(tt.body))
			out, err := p.Call(context.Background(), policy.HookClaims, []byte(claimsInput))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got (%s, %v), want an error containing %q", out, err, tt.wantErr)
				}
				return
			}
			if err != nil || string(out) != tt.want {
				t.Fatalf("got (%s, %v), want %s", out, err, tt.want)
			}
		})
	}
}

// A call must not see what the previous call on the same state left: globals (through _G or not), and nothing
// a call wrote reaches the base.
func TestIsolationBetweenCalls(t *testing.T) {
	p := mustLoad(t, `
		base_value = "base"
		return {abi = 1, claims = function(req)
			local out = {before = (_G.mark or "none") .. "/" .. tostring(mark2) .. "/" .. base_value}
			_G.mark, mark2, base_value = req.user.sub, req.user.sub, "overwritten by " .. req.user.sub
			return {claims = out}
		end}`)
	for i, want := range []string{`{"claims":{"before":"none/nil/base"}}`, `{"claims":{"before":"none/nil/base"}}`} {
		out, err := p.Call(context.Background(), policy.HookClaims, []byte(claimsInput))
		if err != nil || string(out) != want {
			t.Fatalf("call %d: got (%s, %v), want %s", i, out, err, want)
		}
	}
}

func TestLoadChecks(t *testing.T) {
	tests := []struct {
		name, code, wantErr string
	}{
		{name: "syntax error", code: "return {abi = 1,", wantErr: "syntax error"},
		{name: "not a table", code: "return 42", wantErr: "must return a table"},
		{name: "no abi", code: "return {claims = function() end}", wantErr: "abi = 1 is required"},
		{name: "misspelt hook", code: "return {abi = 1, scope_polcy = function() end, claims = function() end}",
			wantErr: `unknown field "scope_polcy"`},
		{name: "hook not a function", code: "return {abi = 1, claims = 3}", wantErr: "claims must be a function"},
		{name: "no hook", code: "return {abi = 1}", wantErr: "exports no hook"},
		{name: "chunk error", code: "error('broken at load')", wantErr: "broken at load"},
		{name: "chunk loops", code: "while true do end", wantErr: "deadline"},
		{name: "init error", code: "return {abi = 1, init = function() error('bad') end, claims = function() end}",
			wantErr: "init: "},
		{name: "init declared error", code: "return {abi = 1, init = function() return {error = {code = 'c', description = 'd'}} end, claims = function() end}",
			wantErr: "init refused the plugin: c: d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.code, Options{}, policy.Limits{Timeout: 20e6}, nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestInitGetsConfigAndName(t *testing.T) {
	p, err := load(t, `
		local seen
		return {abi = 1,
			init = function(config, plugin) seen = plugin.name .. ":" .. config.nested.list[2] .. ":" .. tostring(config.flag) end,
			claims = function(req) return {claims = {seen = seen}} end}`,
		Options{}, policy.Limits{}, map[string]any{"nested": map[string]any{"list": []any{"a", "b"}}, "flag": true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Call(context.Background(), policy.HookClaims, []byte(claimsInput))
	if want := `{"claims":{"seen":"test:b:true"}}`; err != nil || string(out) != want {
		t.Fatalf("got (%s, %v), want %s", out, err, want)
	}
	if got := p.Hooks(); len(got) != 1 || got[0] != policy.HookClaims {
		t.Fatalf("Hooks() = %v", got)
	}
}

func TestLog(t *testing.T) {
	var logs logBuffer
	p, err := load(t, claimsOf(`assentry.log("warn", "hello " .. req.user.username); assentry.log("debug", string.rep("z", 5000)); return {}`),
		Options{Log: logs.logger(), MaxLogBytes: 100}, policy.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Call(context.Background(), policy.HookClaims, []byte(claimsInput)); err != nil {
		t.Fatal(err)
	}
	got := logs.String()
	for _, want := range []string{`"level":"WARN"`, `"msg":"hello alice"`, `"plugin":"test"`, `"hook":"claims"`,
		`"request_id":"r-1"`, `"host":"h1"`, `"engine":"lua"`, `"source":"log"`, `"msg":"` + strings.Repeat("z", 100) + "…"} {
		if !strings.Contains(got, want) {
			t.Errorf("log %s lacks %s", got, want)
		}
	}
	if strings.Contains(got, strings.Repeat("z", 101)) {
		t.Error("the long message was not truncated")
	}
	// Each line is a JSON object without a key twice (the plugin's text was once an attribute "msg" beside the
	// message "policy log"), with the keys of a wasm plugin's line (policy/wasm TestGuestLogShape).
	lines := policytest.LogLines(t, got)
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2:\n%s", len(lines), got)
	}
	for _, keys := range lines {
		if !slices.Equal(keys, policytest.PluginLogKeys) {
			t.Errorf("log line keys %v, want %v", keys, policytest.PluginLogKeys)
		}
	}
}

func TestCallFailures(t *testing.T) {
	p := mustLoad(t, claimsOf(`return {}`))
	big := `{"abi":1,"pad":"` + strings.Repeat("x", policy.DefaultMaxInputBytes) + `"}`
	if _, err := p.Call(context.Background(), policy.HookClaims, []byte(big)); !policy.IsFailure(err, policy.FailInput) {
		t.Errorf("oversized input: got %v, want input_too_large", err)
	}
	if _, err := p.Call(context.Background(), policy.HookClaims, []byte(`{"abi":`)); !policy.IsFailure(err, policy.FailInput) {
		t.Errorf("broken input: got %v, want input_too_large (bad input)", err)
	}
	if _, err := p.Call(context.Background(), policy.HookConsent, []byte(claimsInput)); err == nil || policy.IsFailure(err, "") {
		t.Errorf("unexported hook: got %v, want a plain error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	slow := mustLoad(t, claimsOf(`while true do end`))
	if _, err := slow.Call(ctx, policy.HookClaims, []byte(claimsInput)); !policy.IsFailure(err, policy.FailDeadline) {
		t.Errorf("cancelled request: got %v, want deadline", err)
	}
}

// A state whose call failed is closed, not pooled; the next call gets a fresh one.
func TestErredStateIsNotPooled(t *testing.T) {
	p := mustLoad(t, `return {abi = 1, claims = function(req)
		if req.target == "boom" then error("boom") end
		return {claims = {}} end}`)
	first := p.idle[0]
	if _, err := p.Call(context.Background(), policy.HookClaims, []byte(strings.Replace(claimsInput, "id_token", "boom", 1))); err == nil {
		t.Fatal("want an error")
	}
	if len(p.idle) != 0 {
		t.Fatalf("%d idle states after a failure, want 0", len(p.idle))
	}
	if _, err := p.Call(context.Background(), policy.HookClaims, []byte(claimsInput)); err != nil {
		t.Fatal(err)
	}
	if len(p.idle) != 1 || p.idle[0] == first {
		t.Fatal("want one new state in the pool")
	}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name, body, kind string
	}{
		{name: "gsub result over the cap", body: `return {r = (string.rep("x", 1000):gsub("x", string.rep("y", 2000)))}`, kind: policy.FailMemory},
		{name: "table.concat over the cap", body: `local t = {} for i = 1, 2000 do t[i] = string.rep("x", 1000) end
			return {r = table.concat(t)}`, kind: policy.FailMemory},
		{name: "rep with separator over the cap", body: `return {r = string.rep("", 2^20, "ab")}`, kind: policy.FailMemory},
		{name: "exponential pattern stopped by the deadline", body: `local s = string.rep("a", 40)
			return {r = s:match(string.rep("a?", 40) .. string.rep("a", 40) .. "b")}`, kind: policy.FailDeadline},
		{name: "exponential gmatch stopped by the deadline", body: `local s = string.rep("a", 40)
			for m in s:gmatch(string.rep("a?", 40) .. string.rep("a", 40) .. "b") do end return {}`, kind: policy.FailDeadline},
		{name: "pattern subject over the cap", body: `local s = string.rep("a", 2^20) .. "a"; return {r = s:find("b")}`, kind: policy.FailMemory},
		{name: "too many values on the stack", body: `return {n = select("#", string.byte(string.rep("x", 70000), 1, -1))}`, kind: policy.FailMemory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := load(t, claimsOf(tt.body), Options{}, policy.Limits{Timeout: 500 * time.Millisecond}, nil)
			if err != nil {
				t.Fatal(err)
			}
			out, err := p.Call(context.Background(), policy.HookClaims, []byte(claimsInput))
			if !policy.IsFailure(err, tt.kind) {
				t.Fatalf("got (%.100s, %v), want a %s failure", out, err, tt.kind)
			}
			t.Log(err)
		})
	}
}
