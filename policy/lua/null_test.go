package lua

import (
	"context"
	"strings"
	"testing"

	"github.com/assentry/assentry/policy"
)

// JSON null survives the trip into Lua and back as json.null, so that a decision can set a member to null.
func TestJSONNull(t *testing.T) {
	tests := []struct {
		name, hook, code, in, want, wantErr string
	}{
		{name: "input null is json.null", hook: policy.HookClaims,
			code: `return {claims = {is_null = req.x.a == json.null, absent = req.x.b == nil, type = type(req.x.a), str = tostring(req.x.a), n = #req.x.l}}`,
			in:   `{"a":null,"l":[null,null]}`,
			want: `{"claims":{"absent":true,"is_null":true,"n":2,"str":"null","type":"userdata"}}`},
		{name: "round trip", hook: policy.HookClaims, code: `return {claims = req.x}`,
			in: `{"a":null,"l":[1,null],"o":{"p":null}}`, want: `{"claims":{"a":null,"l":[1,null],"o":{"p":null}}}`},
		{name: "patch removes a member", hook: policy.HookValidateRegistration,
			code: `return {decision = "accept", metadata_patch = {tos_uri = json.null, client_name = "B"}}`,
			want: `{"decision":"accept","metadata_patch":{"client_name":"B","tos_uri":null}}`},
		{name: "a member of the decision's own shape set to json.null is absent", hook: policy.HookConsent,
			code: `return {decision = "approve", remember = json.null, page = json.null}`, want: `{"decision":"approve"}`},
		{name: "json.null where a string is required", hook: policy.HookConsent,
			code:    `return {decision = "ask", page = {scope_descriptions = {a = json.null}}}`,
			wantErr: "page.scope_descriptions.a: want a string, got json.null"},
		{name: "json is read-only", hook: policy.HookClaims, code: `json.null = 1 return {claims = {}}`,
			wantErr: "read-only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustLoad(t, `return {abi = 1, `+tt.hook+` = function(req) `+tt.code+` end}`)
			in := `{"abi":1,"hook":"` + tt.hook + `","x":` + tt.in + `}`
			if tt.in == "" {
				in = `{"abi":1,"hook":"` + tt.hook + `"}`
			}
			out, err := p.Call(context.Background(), tt.hook, []byte(in))
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
