package lua

import (
	"context"
	"strings"
	"testing"

	"github.com/assentry/assentry/policy"
)

// Input JSON reaches Lua intact and comes back through a free-form member.
func TestJSONRoundTrip(t *testing.T) {
	p := mustLoad(t, `return {abi = 1, claims = function(req) return {claims = {v = req.x, n = #req.x.list}} end}`)
	tests := []struct{ in, want string }{
		{`{"s":"plain","list":[1,2.5,-3e2]}`, `{"claims":{"n":3,"v":{"list":[1,2.5,-300],"s":"plain"}}}`},
		{`{"s":"\u00e9\ud83d\ude00 \"q\" \\ \/ \n\t","list":[]}`, `{"claims":{"n":0,"v":{"list":{},"s":"é😀 \"q\" \\ / \n\t"}}}`},
		{`{"list":[true,false,{"a":[[]]}],"null":null}`, `{"claims":{"n":3,"v":{"list":[true,false,{"a":[{}]}],"null":null}}}`},
		{`{"list":[null,1,null]}`, `{"claims":{"n":3,"v":{"list":[null,1,null]}}}`},
		{` {"list" : [ "x" ] , "ctl":"\u0001"} `, `{"claims":{"n":1,"v":{"ctl":"\u0001","list":["x"]}}}`},
	}
	for _, tt := range tests {
		in := strings.Replace(claimsInput, `"target":"id_token"`, `"target":"id_token","x":`+tt.in, 1)
		out, err := p.Call(context.Background(), policy.HookClaims, []byte(in))
		if err != nil || string(out) != tt.want {
			t.Errorf("%s: got (%s, %v), want %s", tt.in, out, err, tt.want)
		}
	}
	for _, bad := range []string{`{"a":}`, `{"a":1`, `[1,]`, `{"a":"\x"}`, `{"a":tru}`, `{"a":1} x`, `{"a":"` + "\x01" + `"}`,
		strings.Repeat("[", 100) + strings.Repeat("]", 100)} {
		if _, err := p.Call(context.Background(), policy.HookClaims, []byte(bad)); !policy.IsFailure(err, policy.FailInput) {
			t.Errorf("%s: got %v, want an input failure", bad, err)
		}
	}
}

// Outputs are converted against the hook's Go type.
func TestOutputShapes(t *testing.T) {
	tests := []struct {
		name, hook, ret, want, wantErr string
	}{
		{name: "empty table as array", hook: policy.HookScopePolicy, ret: `{granted_scopes = {}}`, want: `{"granted_scopes":[]}`},
		{name: "denied objects", hook: policy.HookScopePolicy, ret: `{granted_scopes = {"a"}, denied = {{scope = "b", reason = "r", extra = 1}}, other = true}`,
			want: `{"granted_scopes":["a"],"denied":[{"scope":"b","reason":"r"}]}`},
		{name: "empty table as object", hook: policy.HookConsent, ret: `{decision = "ask", page = {extra = {}, scope_descriptions = {}, notices = {}}}`,
			want: `{"decision":"ask","page":{"scope_descriptions":{},"notices":[],"extra":{}}}`},
		{name: "free-form values", hook: policy.HookValidateRegistration, ret: `{decision = "accept", metadata_patch = {contacts = {"a@x"}, n = 1.5, big = 2^60, neg = -0, t = true}}`,
			want: `{"decision":"accept","metadata_patch":{"big":1152921504606847000,"contacts":["a@x"],"n":1.5,"neg":0,"t":true}}`},
		{name: "declared error", hook: policy.HookConsent, ret: `{error = {code = "c", description = "d"}, decision = "approve"}`,
			want: `{"error":{"code":"c","description":"d"}}`},
		{name: "reject code is not a declared error", hook: policy.HookValidateRegistration,
			ret: `{decision = "reject", error = "invalid_redirect_uri"}`, want: `{"decision":"reject","error":"invalid_redirect_uri"}`},
		{name: "invalid UTF-8", hook: policy.HookScopePolicy, ret: `{granted_scopes = {"a\255b"}}`, want: `{"granted_scopes":["a\ufffdb"]}`},
		{name: "not a table", hook: policy.HookScopePolicy, ret: `"granted"`, wantErr: "must return a table, not a string"},
		{name: "nil", hook: policy.HookScopePolicy, ret: `nil`, wantErr: "must return a table, not a nil"},
		{name: "object for an array", hook: policy.HookScopePolicy, ret: `{granted_scopes = {a = 1}}`, wantErr: "granted_scopes: want an array, got an object"},
		{name: "array for an object", hook: policy.HookConsent, ret: `{decision = "ask", page = {"x"}}`, wantErr: "page: want an object, got an array"},
		{name: "wrong element", hook: policy.HookScopePolicy, ret: `{granted_scopes = {"a", 2}}`, wantErr: "granted_scopes[1]: want a string, got number"},
		{name: "string for a boolean", hook: policy.HookConsent, ret: `{decision = "approve", remember = "yes"}`, wantErr: "remember: want a boolean"},
		{name: "number key", hook: policy.HookClaims, ret: `{claims = {[1] = "a", x = 1}}`, wantErr: "keys must be strings"},
		{name: "NaN", hook: policy.HookClaims, ret: `{claims = {x = 0/0}}`, wantErr: "claims.x: a number must be finite"},
		{name: "cycle", hook: policy.HookClaims, ret: `(function() local t = {} t.self = t return {claims = t} end)()`, wantErr: "nested too deeply"},
		{name: "function", hook: policy.HookClaims, ret: `{claims = {f = print or tostring}}`, wantErr: "claims.f: a function cannot be converted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustLoad(t, "return {abi = 1, "+tt.hook+" = function(req) return "+tt.ret+" end}")
			out, err := p.Call(context.Background(), tt.hook, []byte(`{"abi":1}`))
			if tt.wantErr != "" {
				if !policy.IsFailure(err, policy.FailOutput) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got (%s, %v), want an invalid_output containing %q", out, err, tt.wantErr)
				}
				return
			}
			if err != nil || string(out) != tt.want {
				t.Fatalf("got (%s, %v), want %s", out, err, tt.want)
			}
		})
	}
}
